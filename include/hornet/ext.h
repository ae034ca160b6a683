/*
 * hornet/ext.h: optional services an app reaches with host->get_extension()
 * (ABI 1.1).
 *
 * Each is a const table that opens with a hornet_head_t, found by an id that
 * carries its own version. They exist only where the worker type can give
 * them: an event-loop worker type (async) offers both in its worker
 * processes, from its first request on; sync and gthread offer none, so an
 * app gets NULL there and must cope (block, or use a thread of its own).
 * Look them up in handle(), not in create() (which may run in the arbiter,
 * before any worker type runs). The tables belong to the worker type and
 * stay valid while the exchange passed to them is unfinished. Check
 * HORNET_HAS() before a field newer than ABI 1.1.
 *
 * Both act on an exchange, which says whose loop runs the callback: an app
 * that returned PENDING can answer after a delay, or after its own
 * background work, without holding any thread.
 *
 * ABI 1.3: "hornet.metrics/1" is offered by the host itself, not by the
 * worker type: in the arbiter (create() with preload_app) and in every
 * worker, under every worker type, from create() on. It is NULL from an
 * older host.
 */
#ifndef HORNET_EXT_H
#define HORNET_EXT_H

#include "hornet/app.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HORNET_EXT_TIMER "hornet.timer/1" /* hornet_timer_ext_t */
#define HORNET_EXT_LOOP "hornet.loop/1"   /* hornet_loop_ext_t  */
#define HORNET_EXT_METRICS "hornet.metrics/1" /* hornet_metrics_ext_t (ABI 1.3) */

/* "hornet.timer/1": one timer per exchange, on the exchange's loop. */
typedef struct hornet_timer_ext_s {
    hornet_head_t head;

    /* [handler, after PENDING, loop thread] Calls done(user_data, 0) on x's
     * loop thread once ms milliseconds have passed, never inside this call.
     * Returns HORNET_OK, or <0 at once and done never runs: HORNET_EBUSY (a
     * timer of x is already running), HORNET_ECLOSED (x is finished, or the
     * worker stops), HORNET_EINVAL. done always runs exactly once after
     * HORNET_OK: with HORNET_ECLOSED instead of 0 when x is finished before
     * the time is up or the worker closes its connections at once (then x
     * is either gone or must be finished now: finish(x, error) is still
     * owed if the app has not called it). user_data is the app's. */
    int (*start)(hornet_exchange_t *x, uint64_t ms, hornet_done_fn done,
                 void *user_data);
    /* ABI 1.3: append below, never above. */
} hornet_timer_ext_t;

/* "hornet.loop/1": hop onto an exchange's loop thread. */
typedef struct hornet_loop_ext_s {
    hornet_head_t head;

    /* [any thread, until finish(x)] Runs fn(user_data, 0) on x's loop
     * thread soon, in posting order, never inside this call: there the
     * async ops (read_async, write_async, the timer) and finish() run
     * without being marshalled. Returns HORNET_OK (fn runs exactly once) or
     * HORNET_EINVAL (and fn never runs). fn must not use x unless the app
     * knows x is still unfinished. user_data is the app's. */
    int (*post)(hornet_exchange_t *x, hornet_done_fn fn, void *user_data);
    /* ABI 1.3: append below, never above. */
} hornet_loop_ext_t;

/* ABI 1.3. "hornet.metrics/1": counters of the app's own, shown by the
 * arbiter's /metrics as hornet_app_<name>_total (and sent to statsd as
 * <prefix>app.<name>). The host owns the table (host lifetime: valid until
 * the app is destroyed); counters live in memory the arbiter shares with
 * every worker, so they keep counting across worker restarts and reloads. */
typedef struct hornet_metrics_ext_s {
    hornet_head_t head;

    /* [arbiter, worker main, any thread] Finds or registers the counter
     * `name` ([a-zA-Z_][a-zA-Z0-9_]*, at most 48 bytes, without the
     * "hornet_app_" prefix or "_total"); `help` (cut at 160 bytes) is its
     * HELP line. The same name gives the same counter in every process,
     * whoever registered it first (its help is kept). Returns the
     * counter's id (>= 0), or HORNET_EINVAL (a bad name), or HORNET_ENOMEM
     * (64 counters exist). Call it once, in create(); the views are read
     * during the call. */
    int (*counter)(const hornet_host_t *host, hornet_str_t name,
                   hornet_str_t help);
    /* [any thread] Adds delta to the counter (an id from counter(); an
     * unknown id is ignored). Lock-free: one atomic add. */
    void (*add)(const hornet_host_t *host, int counter, uint64_t delta);
    /* ABI 1.4: append below, never above. */
} hornet_metrics_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* HORNET_EXT_H */
