/*
 * hornet/abi.h: what every hornet plugin and the host share.
 *
 * hornet loads worker types and applications as shared objects. Only what is
 * declared in include/hornet/ crosses that boundary: C99, plain structs,
 * function pointers and opaque handles. Every struct that crosses opens with
 * a hornet_head_t; fields are only ever appended, so a reader checks
 * HORNET_HAS() before it touches a field newer than ABI 1.0.
 *
 * Versioning. HORNET_ABI_MAJOR changes only when something is removed,
 * reordered or changes meaning: the host then refuses every plugin of another
 * major. HORNET_ABI_MINOR changes when something is appended (a field at the
 * end of a struct, an enum value, a flag, an extension id): a host loads
 * plugins of its own and every older minor of its major, and refuses a
 * plugin whose descriptor says a newer minor. Each bump gets a line below,
 * and each appended field an "ABI 1.n" marker where it is declared.
 *
 * Thread tags on every function pointer say who may call it: [arbiter] the
 * master process before fork; [worker main] a worker process's main thread;
 * [handler] the thread inside handle() for that exchange; [after PENDING]
 * any thread once handle() returned PENDING; [loop thread] the worker type's
 * event-loop thread (inside a done callback); [any thread]. docs/plugins.md
 * has the full contract, call by call.
 *
 * ABI change log (newest first; dates are UTC):
 *   1.6  2026-12-03  hornet_exchange_ops_t.trailers: trailer fields after
 *                    the last chunk of a chunked response, for a client
 *                    that sent TE: trailers (dropped otherwise); offered
 *                    by every built-in worker type.
 *   1.5  2026-12-02  TLS: hornet_tls_t and hornet_tls_cert_t (worker.h);
 *                    worker context: tls and listen_tls (which listeners
 *                    speak TLS, and with which certificates, CA, client
 *                    certificate rule, ciphers, minimum version and
 *                    session-ticket secret). Request: tls_protocol,
 *                    tls_cipher, tls_client_subject, tls_client_cert (the
 *                    verified client certificate, for mTLS).
 *                    Also hornet_exchange_ops_t.watch_peer: the app hears when
 *                    the client goes away while it holds a PENDING
 *                    exchange (async watches the socket; sync and gthread
 *                    answer HORNET_EINVAL).
 *   1.4  2026-12-02  Connection upgrades (hornet/ext.h), offered by every
 *                    built-in worker type: "hornet.upgrade/1"
 *                    (hornet_upgrade_ext_t: the app answers 101 and the
 *                    exchange's read/write ops then carry the raw byte
 *                    stream) and "hornet.websocket/1"
 *                    (hornet_websocket_ext_t: the worker type does the
 *                    RFC 6455 handshake, framing, ping/pong, close and
 *                    permessage-deflate; the app sends and receives
 *                    messages). HORNET_ETIMEDOUT, HORNET_ESHUTDOWN.
 *                    hornet_limits_t: websocket_ping_interval_ms,
 *                    websocket_ping_timeout_ms, websocket_max_message.
 *   1.3  2026-12-02  Worker context: exchange_begin and exchange_end (the
 *                    host sees every request start and end, for its
 *                    control socket, metrics and stack dumps; exchange_end
 *                    replaces access_log for a 1.3 worker type) and
 *                    observe_flags (HORNET_OBSERVE_QUEUE_TIME). Access
 *                    record: queued_us and request_bytes.
 *                    "hornet.metrics/1" (hornet_metrics_ext_t, hornet/ext.h):
 *                    counters of an app's own, offered by the host in
 *                    every process, shown by the arbiter's /metrics.
 *                    hornet_app_t.dump_stacks: the app writes its own
 *                    stacks (the wsgi app: every Python thread's
 *                    traceback) into a worker's stack dump.
 *   1.2  2026-12-02  hornet_limits_t.max_discard: how much of an unread
 *                    request body the worker drops to keep the connection.
 *                    Worker context: health_path, ready_path and
 *                    server_state (HORNET_SERVER_*), for probes the worker
 *                    type answers before the app.
 *                    hornet_app_t.check_config: the arbiter asks an app to
 *                    validate its app_config before any fork (start,
 *                    --check-config, reload), so a bad key is one line and
 *                    exit status 2 instead of workers that fail to boot.
 *                    config_get: a numeric part indexes a list
 *                    ("pythonpath.0"); hornet_host_t.config_key_at lists
 *                    a map's keys (to refuse an unknown one).
 *   1.1  2026-11-27  optional services (hornet/ext.h): "hornet.timer/1"
 *                    (hornet_timer_ext_t: a timer on an exchange's loop)
 *                    and "hornet.loop/1" (hornet_loop_ext_t: post a
 *                    callback onto an exchange's loop), offered by the
 *                    worker type through the worker context's new
 *                    provide_extension and answered by get_extension;
 *                    HORNET_WORKER_EVENT_LOOP (the host then answers
 *                    HORNET_QUERY_ASYNC with 1); write() on a loop thread
 *                    may buffer a bounded amount instead of failing.
 *                    Worker context: forwarded_allow_ips,
 *                    secure_scheme_headers(_count), proxy_protocol and
 *                    proxy_allow_ips (what to believe from proxies).
 *   1.0  2026-11-27  first release. hornet_head_t, hornet_str_t,
 *                    hornet_header_t, HORNET_E* codes, hornet_done_fn;
 *                    host services (log, config_get, query, get_extension;
 *                    no extension ids defined yet); the app descriptor and
 *                    hornet_app_entry; the request view and exchange ops
 *                    (blocking and async read/write, start, sendfile,
 *                    finish, PENDING); the worker-type descriptor,
 *                    hornet_worker_entry, worker context, limits and
 *                    access record.
 */
#ifndef HORNET_ABI_H
#define HORNET_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HORNET_ABI_MAJOR 1 /* bump: every older plugin is refused          */
#define HORNET_ABI_MINOR 6 /* bump: fields or ops appended; log it above   */
#define HORNET_MAGIC 0x484e5431u /* "HNT1": is this a hornet struct at all? */

#if defined(__GNUC__) || defined(__clang__)
#define HORNET_EXPORT __attribute__((visibility("default")))
#else
#define HORNET_EXPORT
#endif

/* Opens every struct that crosses the boundary. Its writer fills it with
 * HORNET_HEAD_INIT; its reader checks magic, then abi_major, then that
 * struct_size covers the 1.0 fields, before it reads anything else. */
typedef struct hornet_head_s {
    uint32_t struct_size; /* sizeof the struct as its writer compiled it */
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t magic; /* HORNET_MAGIC */
} hornet_head_t;

/* For the .head member: { .head = HORNET_HEAD_INIT(hornet_app_t), ... } */
#define HORNET_HEAD_INIT(T) \
    { (uint32_t)sizeof(T), HORNET_ABI_MAJOR, HORNET_ABI_MINOR, HORNET_MAGIC }

/* May the reader touch field F of *p, which may come from an older peer?
 * Use it in both directions: hosts on plugin descriptors, plugins on the
 * host, context and ops tables, for every field newer than ABI 1.0. */
#define HORNET_HAS(p, T, F) \
    ((p)->head.struct_size >= offsetof(T, F) + sizeof(((T *)0)->F))

/* A string view: not NUL-terminated unless documented; lifetime documented
 * where it is handed out. */
typedef struct hornet_str_s {
    const char *ptr;
    size_t len;
} hornet_str_t;

typedef struct hornet_header_s {
    hornet_str_t name;
    hornet_str_t value;
} hornet_header_t;

/* Results at the boundary: 0 is success, failures are negative. */
enum {
    HORNET_OK = 0,
    HORNET_ENOENT = -2,       /* no such key, header, extension        */
    HORNET_EIO = -5,          /* the connection failed                 */
    HORNET_EWOULDBLOCK = -11, /* a blocking call on a loop thread      */
    HORNET_ENOMEM = -12,
    HORNET_EBUSY = -16,       /* one async op of that kind in flight   */
    HORNET_EINVAL = -22,      /* bad argument, or call out of order    */
    HORNET_ECLOSED = -32,     /* peer gone, or exchange already ended  */
    HORNET_ETOOBIG = -27,     /* body larger than the configured limit */
    HORNET_ESHUTDOWN = -108,  /* ABI 1.4: the worker is stopping       */
    HORNET_ETIMEDOUT = -110,  /* ABI 1.4: an upgraded read waited too long */
    HORNET_EINTERNAL = -1000  /* a bug in the callee; it logged why    */
};

/* Completion of an async op: bytes (>0), 0 at end of body or for a write that
 * finished, <0 a HORNET_E* code. */
typedef void (*hornet_done_fn)(void *user_data, ptrdiff_t result);

#ifdef __cplusplus
}
#endif

#endif /* HORNET_ABI_H */
