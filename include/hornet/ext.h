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
#define HORNET_EXT_UPGRADE "hornet.upgrade/1"     /* hornet_upgrade_ext_t (ABI 1.4) */
#define HORNET_EXT_WEBSOCKET "hornet.websocket/1" /* hornet_websocket_ext_t (ABI 1.4) */

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

/*
 * ABI 1.4. Connection upgrades. Every built-in worker type offers both in
 * its worker processes (look them up in handle()); a third party's may not
 * (NULL). An upgraded exchange lasts as long as the connection: finish()
 * closes it, and only then does the worker type write its access record
 * (status 101, the duration and bytes of the whole connection). Under sync
 * and gthread an upgraded connection holds its handler thread until
 * finish() (it counts against threads x workers); under async it is one
 * more coroutine, and an app with HORNET_APP_NONBLOCKING holds no thread
 * while it waits. A graceful stop tells an upgraded exchange: a WebSocket
 * gets a close 1001 (going away) from the worker type; a raw stream's
 * read returns HORNET_ESHUTDOWN once (a blocking read, or under async the
 * read_async in flight, else the next one that would wait); graceful_timeout
 * later the connection is cut whatever the app does. Under async a
 * WebSocket's server pings use the exchange's one timer (hornet.timer/1):
 * while websocket_ping_interval is not 0, the app's timer start() on that
 * exchange returns HORNET_EBUSY.
 */

/* "hornet.upgrade/1": the app takes over the connection's byte stream. */
typedef struct hornet_upgrade_ext_s {
    hornet_head_t head;

    /* [handler, after PENDING, loop thread] Answers "101 Switching
     * Protocols" with the app's headers (Upgrade: and the protocol's own;
     * Connection: Upgrade, Date and Server are the worker's), sent before
     * the call returns (blocking) or queued first on the connection (loop
     * thread). Instead of start(). From then on, on this exchange:
     * read/read_async return the client's raw bytes (bytes that arrived
     * behind the request head first; 0 once the client closed its side;
     * HORNET_ESHUTDOWN once when the worker stops gracefully: from a
     * blocking read, or from the read_async in flight (else the next one
     * that would wait); after it reads wait again), write/write_async send
     * raw bytes (no framing; same back-pressure: one write_async in
     * flight, write on a loop thread buffers a bounded amount), sendfile
     * works, and finish(x, 0) closes the connection after what was
     * written. Returns HORNET_OK, or HORNET_EINVAL (a response already
     * started, a request with a body or not HTTP/1.1, a bad header) and
     * nothing was sent, or HORNET_ECLOSED. Headers are copied. */
    int (*accept)(hornet_exchange_t *x, const hornet_header_t *headers,
                  size_t count);
    /* ABI 1.4: append below, never above. */
} hornet_upgrade_ext_t;

/* hornet_websocket_ext_t.offered() answers. */
enum {
    HORNET_WS_NONE = 0,    /* not a WebSocket request: serve it as HTTP      */
    HORNET_WS_VALID = 1,   /* a valid opening handshake: accept() may take it */
    HORNET_WS_INVALID = 2  /* asks for a WebSocket, wrongly: accept() answers
                            * the refusal (400, or 426 for a wrong version) */
};

/* hornet_ws_accept_t.flags */
enum {
    HORNET_WS_ALLOW_DEFLATE = 1u << 0, /* take permessage-deflate if offered */
    HORNET_WS_FRAGMENTS = 1u << 1      /* recv() gives pieces as they arrive
                                        * (fin says which is last), not
                                        * whole messages */
};

/* Message kinds: recv() fills them in, send() takes TEXT or BINARY. */
enum {
    HORNET_WS_TEXT = 1,   /* UTF-8, checked both ways                      */
    HORNET_WS_BINARY = 2,
    HORNET_WS_CLOSE = 8   /* recv(): the connection is closing; code and
                           * reason say why (1005: none given; 1006: the
                           * peer vanished or missed its pongs; 1001: the
                           * worker stops). Every later recv returns
                           * HORNET_ECLOSED; the app calls finish(x, 0). */
};

/* What the app chooses when it accepts a handshake. */
typedef struct hornet_ws_accept_s {
    hornet_head_t head;
    hornet_str_t subprotocol; /* one of subprotocol_at()'s, or empty: none */
    uint32_t flags;           /* HORNET_WS_* flags above */
    uint64_t max_message;     /* bytes; 0: the worker's websocket_max_message */
    const hornet_header_t *headers; /* extra 101 headers (Set-Cookie); copied */
    size_t header_count;
    /* ABI 1.4: append below, never above. */
} hornet_ws_accept_t;

/* One received message, or piece of one (HORNET_WS_FRAGMENTS). */
typedef struct hornet_ws_message_s {
    hornet_head_t head;  /* the app fills it (HORNET_HEAD_INIT) before recv */
    int kind;            /* HORNET_WS_TEXT, _BINARY or _CLOSE */
    int fin;             /* 1 on a message's last (or only) piece */
    hornet_str_t data;   /* worker memory, valid until the next recv or
                          * recv_async on x, or finish(x) */
    uint16_t close_code; /* HORNET_WS_CLOSE: the code */
    hornet_str_t close_reason; /* HORNET_WS_CLOSE: as data */
    /* ABI 1.4: append below, never above. */
} hornet_ws_message_t;

/* "hornet.websocket/1": the worker type speaks RFC 6455 (and RFC 7692);
 * the app sees messages, never frames. Pings from the peer are answered by
 * the worker; the worker pings a silent peer (websocket_ping_interval) and
 * drops it when the pong is late (websocket_ping_timeout), which the app
 * learns as a HORNET_WS_CLOSE with 1006. The worker reads the socket only
 * while the app waits in recv or recv_async: an app that stops receiving
 * gets back-pressure to its peer (and no pings). */
typedef struct hornet_websocket_ext_s {
    hornet_head_t head;

    /* [handler, after PENDING, loop thread] HORNET_WS_NONE, _VALID or
     * _INVALID for this exchange's request, before accept(). */
    int (*offered)(hornet_exchange_t *x);
    /* [handler, after PENDING, loop thread] The index-th subprotocol the
     * client offered (Sec-WebSocket-Protocol, in order): HORNET_OK with
     * *out a view into the request (valid until finish()), or
     * HORNET_ENOENT past the last. */
    int (*subprotocol_at)(hornet_exchange_t *x, size_t index,
                          hornet_str_t *out);
    /* [handler, after PENDING, loop thread] Instead of start(): answers
     * the handshake with 101 (the subprotocol and, where allowed and
     * offered, permessage-deflate) and makes x a WebSocket. HORNET_OK; or
     * HORNET_EINVAL: the handshake was bad (or a subprotocol the client did
     * not offer) and the worker has answered the refusal itself (400, 426
     * with Sec-WebSocket-Version: 13) or nothing; either way the app still
     * calls finish(x, 0). opts is read during the call. */
    int (*accept)(hornet_exchange_t *x, const hornet_ws_accept_t *opts);

    /* [handler, after PENDING] Blocking: the next message (or piece).
     * HORNET_OK and *msg filled; HORNET_ECLOSED once a HORNET_WS_CLOSE
     * was delivered (or before accept); HORNET_EBUSY with a recv_async in
     * flight. On a loop thread: HORNET_EWOULDBLOCK. */
    int (*recv)(hornet_exchange_t *x, hornet_ws_message_t *msg);
    /* [handler, after PENDING, loop thread] As recv, without blocking:
     * HORNET_OK and later done(user_data, HORNET_OK | <0) on the loop
     * thread (never inside this call), *msg filled first; msg (the app's)
     * must live until then. One recv_async in flight (else HORNET_EBUSY,
     * and done never runs). */
    int (*recv_async)(hornet_exchange_t *x, hornet_ws_message_t *msg,
                      hornet_done_fn done, void *user_data);

    /* [handler, after PENDING, loop thread] A message (fin 1) or the
     * next piece of one (fin 0; the pieces of one message share a kind).
     * data is copied. Off a loop thread it blocks until the bytes are on
     * the wire; on a loop thread it queues them while the connection's
     * output holds less than 1 MiB, else HORNET_EWOULDBLOCK and nothing is
     * taken (use send_async). Unlike the other calls on x, send and
     * send_async may be made from another thread while a recv blocks or a
     * recv_async is in flight (a chat room sends to every member): the
     * worker serializes them. HORNET_OK, HORNET_ECLOSED (a close was sent
     * or received), HORNET_EINVAL (text that is not UTF-8, a kind out of
     * order, before accept). */
    int (*send)(hornet_exchange_t *x, int kind, const void *data,
                size_t len, int fin);
    /* As send, and done(user_data, 0 | <0) once the bytes are on the wire:
     * the "go on" (one send_async in flight, else HORNET_EBUSY). data is
     * copied at once. done runs on the loop thread (for sync and gthread:
     * the thread that waits in recv, or the handler after PENDING). */
    int (*send_async)(hornet_exchange_t *x, int kind, const void *data,
                      size_t len, int fin, hornet_done_fn done,
                      void *user_data);
    /* [handler, after PENDING, loop thread] Starts the close handshake:
     * code (1000 normal, 1001, 3000-4999, ...) and a UTF-8 reason (cut to
     * fit 123 bytes). Keep receiving: the peer's answer comes as
     * HORNET_WS_CLOSE; then finish(x, 0). finish() without close() sends
     * 1000 (1011 for finish(x, error)). HORNET_OK, HORNET_ECLOSED,
     * HORNET_EINVAL (a code no peer may receive). */
    int (*close)(hornet_exchange_t *x, uint16_t code, hornet_str_t reason);
    /* ABI 1.4: append below, never above. */
} hornet_websocket_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* HORNET_EXT_H */
