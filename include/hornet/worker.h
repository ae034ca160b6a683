/*
 * hornet/worker.h: the worker-type interface.
 *
 * A worker-type plugin exports hornet_worker_entry(). In each worker process,
 * after fork, the host builds a hornet_worker_ctx_t and calls run(ctx), which
 * accepts on the inherited listening fds, speaks HTTP, calls the app, and
 * returns the process exit code when ctx->stop_fd becomes readable.
 * Everything a worker type needs is in the context:
 * a third-party one (say, on io_uring) needs nothing else from the host.
 * The context and everything it points to is host-owned, read-only, and
 * valid until run() returns.
 */
#ifndef HORNET_WORKER_H
#define HORNET_WORKER_H

#include "hornet/app.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Worker-type flags. */
enum {
    HORNET_WORKER_KEEPALIVE = 1u << 0, /* keeps connections open between requests */
    HORNET_WORKER_CONCURRENT = 1u << 1, /* serves many requests at once per process */
    /* ABI 1.1: serves from an event loop (and offers "hornet.timer/1" and
     * "hornet.loop/1"): the host answers HORNET_QUERY_ASYNC with 1. */
    HORNET_WORKER_EVENT_LOOP = 1u << 2,
    /* ABI 1.5: serves TLS listeners (ctx->tls, ctx->listen_tls). The host
     * refuses TLS listeners for a worker type without it, which would
     * otherwise speak plaintext on them. */
    HORNET_WORKER_TLS = 1u << 3
};

/* stop_mode() answers. */
enum {
    HORNET_STOP_NONE = 0,     /* keep serving                                */
    HORNET_STOP_GRACEFUL = 1, /* stop accepting, finish in-flight, then exit */
    HORNET_STOP_NOW = 2       /* close everything and exit at once           */
};

/* ABI 1.2: server_state() flags: the server as a whole, not this worker. */
enum {
    HORNET_SERVER_STOPPING = 1u << 0, /* the arbiter is stopping (or about to):
                                       * health checks should fail now */
    HORNET_SERVER_READY = 1u << 1     /* every worker of the serving
                                       * generation is ready */
};

/* ABI 1.3: observe_flags. */
enum {
    HORNET_OBSERVE_QUEUE_TIME = 1u << 0 /* measure queued_us (a receive
                                         * timestamp or a TCP_INFO read
                                         * per accepted connection) */
};

/* Counters for count(). */
enum {
    HORNET_COUNT_REQUESTS = 1,   /* requests answered (delta +1 each)     */
    HORNET_COUNT_CONNECTIONS = 2 /* open connections (+1 open, -1 close)  */
};

/* Exit codes run() may return besides 0; the arbiter reads them. */
enum {
    HORNET_EXIT_BOOT_FAILED = 3 /* could not start: do not respawn in a loop */
};

/* Limits from the config; times in milliseconds, 0 meaning "none". */
typedef struct hornet_limits_s {
    hornet_head_t head;
    uint32_t threads;            /* handler threads per process (>= 1)       */
    uint32_t worker_connections; /* open connections per process              */
    uint32_t keepalive_ms;       /* idle time between requests on a connection */
    uint32_t timeout_ms;         /* heartbeat timeout: beat well within it    */
    uint32_t graceful_timeout_ms;
    uint32_t limit_request_line;       /* bytes in the request line           */
    uint32_t limit_request_fields;     /* header count                        */
    uint32_t limit_request_field_size; /* bytes in one header line            */
    uint64_t limit_request_body;       /* bytes; UINT64_MAX for unlimited     */
    uint32_t header_timeout_ms;        /* to read a whole request head        */
    uint32_t body_timeout_ms;          /* between two reads of the body       */
    uint64_t max_requests;             /* always 0: the arbiter recycles a
                                        * worker itself (replacement first),
                                        * by the requests it counts; kept for
                                        * the layout, ignore it              */
    /* ABI 1.2. Bytes of a request body the app left unread that the worker
     * reads and drops after finish(), so that the connection can carry the
     * next request; a body with more left (or one that turns out invalid)
     * closes the connection instead, its response saying Connection: close
     * when that is known before the head leaves. 0 from a 1.1 host: check
     * HORNET_HAS first. */
    uint64_t max_discard;
    /* ABI 1.4. WebSocket connections ("hornet.websocket/1"): a ping every
     * websocket_ping_interval_ms of silence from the peer (0: none), and
     * the connection dropped when no pong (or any frame) comes within
     * websocket_ping_timeout_ms of it (0: never); the largest message
     * (after inflating) a peer may send, else close 1009. 0 from a 1.3
     * host: check HORNET_HAS first (the SDK then uses 20 s, 20 s and
     * 16 MiB, uvicorn's defaults). */
    uint32_t websocket_ping_interval_ms;
    uint32_t websocket_ping_timeout_ms;
    uint64_t websocket_max_message;
    /* ABI 1.5: append below, never above. */
} hornet_limits_t;

/* One answered request, handed to access_log(). Built by the worker type
 * (its memory); the host reads it during the call and keeps nothing. */
typedef struct hornet_access_record_s {
    hornet_head_t head;
    const hornet_request_t *request; /* NULL for a request that did not parse */
    hornet_str_t request_line;       /* "GET / HTTP/1.1" as received          */
    hornet_str_t peer_host;
    int status;
    uint64_t body_bytes; /* response body bytes sent */
    const hornet_header_t *response_headers;
    size_t response_header_count;
    int64_t start_unix_us; /* when the request began, wall clock */
    int64_t duration_us;
    /* ABI 1.3. Microseconds the request waited before it went to the app:
     * in the kernel (from the kernel's receive time of a new connection's
     * first bytes: SO_TIMESTAMPNS on its first read, or TCP_INFO at
     * accept, millisecond-grained) and in the worker (to the app called;
     * a later request on a connection: from its first bytes seen). -1: not measured (the context's observe_flags
     * did not ask, or a refused head). */
    int64_t queued_us;
    /* Request bytes read from the connection: the head and the body bytes
     * the app read or the worker discarded. */
    uint64_t request_bytes;
    /* ABI 1.4: append below, never above. */
} hornet_access_record_t;

/* ABI 1.5. TLS: what a worker type needs to serve a listener over TLS
 * (docs/plugins.md, "TLS"). The arbiter checked every file before the fork
 * (a bad one is refused at start and a reload keeps the old generation);
 * the worker loads them after fork (plugins/sdk's TlsListeners does).
 * Views into host memory, valid until run() returns. */
enum {
    HORNET_TLS_CERT_NONE = 0,     /* no client certificate asked for      */
    HORNET_TLS_CERT_OPTIONAL = 1, /* asked for; verified when sent        */
    HORNET_TLS_CERT_REQUIRED = 2  /* a verified one is needed             */
};

/* One certificate and its key (PEM files), chosen by SNI server_name
 * ("example.com", "*.example.com"); empty server_name: the default. */
typedef struct hornet_tls_cert_s {
    hornet_str_t server_name;
    hornet_str_t certfile;
    hornet_str_t keyfile;
} hornet_tls_cert_t;

typedef struct hornet_tls_s {
    hornet_head_t head;
    const hornet_tls_cert_t *certs; /* certs[0]: the default certificate */
    size_t cert_count;              /* >= 1 */
    hornet_str_t ca_certs;          /* PEM file of CAs for client certs; may be empty */
    int cert_reqs;                  /* HORNET_TLS_CERT_* */
    hornet_str_t ciphers;           /* OpenSSL list for TLS 1.2; empty: the SDK's default */
    uint16_t min_version;           /* 0x0303 TLS 1.2, 0x0304 TLS 1.3 */
    int handshake_on_connect;       /* Gunicorn's do_handshake_on_connect: accepted, the
                                     * handshake always runs before the first request */
    /* Session tickets: random bytes made by the arbiter, never written
     * anywhere, the same in every worker, so that a session resumes
     * whichever worker accepts it; ticket keys are derived from it per
     * period of ticket_rotate_s seconds (the current and the previous
     * period's keys decrypt). Empty: tickets are off. */
    const unsigned char *ticket_secret;
    size_t ticket_secret_len;
    uint32_t ticket_rotate_s;
    /* ABI 1.5: append below, never above. */
} hornet_tls_t;

typedef struct hornet_worker_ctx_s {
    hornet_head_t head;
    const hornet_host_t *host;
    const int *listen_fds; /* bound by the arbiter; non-blocking is the worker's call */
    size_t listen_count;
    const hornet_app_t *app;
    void *app_instance;
    const hornet_limits_t *limits;
    int worker_id; /* 1..workers */

    /* Readable (never drained by the worker) when the worker should stop. */
    int stop_fd;
    /* [any thread] HORNET_STOP_*. */
    int (*stop_mode)(const struct hornet_worker_ctx_s *ctx);

    /* [any thread] Booted and accepting: the arbiter may retire the old
     * generation. Call once, after the listeners are being watched. */
    void (*ready)(const struct hornet_worker_ctx_s *ctx);
    /* [any thread] Alive. Call at least every timeout_ms / 2. */
    void (*heartbeat)(const struct hornet_worker_ctx_s *ctx);
    /* [any thread] Scoreboard counters, HORNET_COUNT_*. */
    void (*count)(const struct hornet_worker_ctx_s *ctx, int counter,
                  int64_t delta);

    /* [any thread] Non-zero when access_log() writes anywhere: skip
     * building records. */
    int access_log_enabled;
    /* [any thread] Formats and writes one access-log line. */
    void (*access_log)(const struct hornet_worker_ctx_s *ctx,
                       const hornet_access_record_t *record);

    /* ABI 1.1. [worker main] Before ready(): offer this process's apps an
     * optional service that only the worker type can give (it owns the
     * loop), such as "hornet.timer/1" (hornet/ext.h). From then until run()
     * returns, host->get_extension(host, id) answers `table`. id is
     * NUL-terminated and copied; table is the worker type's, opens with a
     * hornet_head_t, and must stay valid until run() returns. HORNET_OK,
     * HORNET_EINVAL (NULL, or no HORNET_MAGIC head) or HORNET_ENOMEM (too
     * many ids). A worker type checks HORNET_HAS(ctx, hornet_worker_ctx_t,
     * provide_extension) first: a 1.0 host has no such field. */
    int (*provide_extension)(const struct hornet_worker_ctx_s *ctx,
                             const char *id, const void *table);

    /* ABI 1.1. How far to believe what arrives from the client's side of a
     * proxy (docs/plugins.md, "Worker context"); views into host memory,
     * valid until run() returns, never written. A unix-socket peer is
     * trusted by both lists (Gunicorn's rule).
     * forwarded_allow_ips: peers whose secure_scheme_headers are believed:
     * IPs and CIDR networks separated by ',' ("127.0.0.1,::1,10.0.0.0/8"),
     * or "*" for every peer. */
    hornet_str_t forwarded_allow_ips;
    /* Request headers that say the client came over TLS, each with the value
     * that means https ("X-Forwarded-Proto": "https"); the request's scheme
     * follows them (from a trusted peer). */
    const hornet_header_t *secure_scheme_headers;
    size_t secure_scheme_header_count;
    /* Non-zero: a connection from proxy_allow_ips (same syntax as
     * forwarded_allow_ips) must open with a PROXY protocol v1 or v2 header,
     * which gives the client's and server's addresses; any other peer that
     * sends one is refused. */
    int proxy_protocol;
    hornet_str_t proxy_allow_ips;

    /* ABI 1.2. Paths the worker type answers itself, before the app, for
     * load balancers and orchestrators: health_path 200 while the server
     * serves, 503 once it is stopping; ready_path 200 once every worker of
     * the serving generation is ready (and not stopping), else 503. Matched
     * against the request's path (no query). Empty: off. Host memory, valid
     * until run() returns. The SDK's RequestCycle answers them. Check
     * HORNET_HAS(ctx, hornet_worker_ctx_t, server_state) first. */
    hornet_str_t health_path;
    hornet_str_t ready_path;
    /* [any thread] HORNET_SERVER_* flags, read from shared memory. */
    uint32_t (*server_state)(const struct hornet_worker_ctx_s *ctx);

    /* ABI 1.3. What the host watches per request, for its control socket,
     * metrics and stack dumps. A worker type that calls these calls both and
     * no longer calls access_log() (the host writes the access-log line from
     * exchange_end); check HORNET_HAS(ctx, hornet_worker_ctx_t,
     * exchange_end) first. The SDK's RequestCycle calls them.
     * [the thread serving the connection] The parsed request goes to the
     * app now. queued_us as in hornet_access_record_t.queued_us. `request`
     * stays valid until the matching exchange_end. */
    void (*exchange_begin)(const struct hornet_worker_ctx_s *ctx,
                           const hornet_request_t *request,
                           int64_t queued_us);
    /* [the thread that called exchange_begin] The exchange is over (the
     * response sent or given up): once for every exchange_begin, with
     * record->request the same pointer; and once for every refused head,
     * with record->request NULL and no exchange_begin before it. The
     * record is filled whether or not access_log_enabled. */
    void (*exchange_end)(const struct hornet_worker_ctx_s *ctx,
                         const hornet_access_record_t *record);
    /* HORNET_OBSERVE_* flags: optional measurements the host wants, each
     * with a cost per connection or request. */
    uint32_t observe_flags;
    /* ABI 1.5. TLS: listen_tls[i] non-zero when listener i speaks TLS with
     * `tls` (then not NULL); both NULL when no listener does. Host memory,
     * valid until run() returns. Check HORNET_HAS(ctx, hornet_worker_ctx_t,
     * listen_tls) first: a 1.4 host serves no TLS. */
    const hornet_tls_t *tls;
    const unsigned char *listen_tls;
    /* ABI 1.5: append below, never above. */
} hornet_worker_ctx_t;

typedef struct hornet_worker_s {
    hornet_head_t head;
    const char *name;    /* short name: "sync" */
    const char *version;
    uint32_t flags;      /* HORNET_WORKER_* */

    /* Static strings above: owned by the plugin, valid until unload. */

    /* Optional (NULL). [arbiter] before any fork (by --check-config too):
     * can this worker type run that app with these limits? Both pointers are
     * valid during the call only. 0, or <0 with one line in err
     * (caller-owned, NUL-terminated, at most err_cap bytes) saying why and
     * what to use instead. */
    int (*check)(const hornet_limits_t *limits, const hornet_app_t *app,
                 char *err, size_t err_cap);

    /* [worker main] In the worker process, after fork and after the app's
     * worker_start: serve until told to stop; returns the exit code (0, or
     * HORNET_EXIT_BOOT_FAILED when it could not start). Every exchange must
     * be finished before run() returns. */
    int (*run)(const hornet_worker_ctx_t *ctx);
    /* ABI 1.3: append below, never above. */
} hornet_worker_t;

/* The one symbol a worker-type plugin exports; the same rules as
 * hornet_app_entry: [arbiter], cheap, a static descriptor, may refuse (NULL)
 * or adapt. */
typedef const hornet_worker_t *(*hornet_worker_entry_fn)(uint32_t host_major,
                                                         uint32_t host_minor);
#define HORNET_WORKER_ENTRY "hornet_worker_entry"
HORNET_EXPORT const hornet_worker_t *hornet_worker_entry(uint32_t host_major,
                                                         uint32_t host_minor);

#ifdef __cplusplus
}
#endif

#endif /* HORNET_WORKER_H */
