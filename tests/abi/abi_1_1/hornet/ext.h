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
 */
#ifndef HORNET_EXT_H
#define HORNET_EXT_H

#include "hornet/app.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HORNET_EXT_TIMER "hornet.timer/1" /* hornet_timer_ext_t */
#define HORNET_EXT_LOOP "hornet.loop/1"   /* hornet_loop_ext_t  */

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
    /* ABI 1.2: append below, never above. */
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
    /* ABI 1.2: append below, never above. */
} hornet_loop_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* HORNET_EXT_H */
