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
    HORNET_WORKER_EVENT_LOOP = 1u << 2
};

/* stop_mode() answers. */
enum {
    HORNET_STOP_NONE = 0,     /* keep serving                                */
    HORNET_STOP_GRACEFUL = 1, /* stop accepting, finish in-flight, then exit */
    HORNET_STOP_NOW = 2       /* close everything and exit at once           */
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
    /* ABI 1.2: append below, never above. */
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
    /* ABI 1.2: append below, never above. */
} hornet_access_record_t;

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
    /* ABI 1.2: append below, never above. */
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
    /* ABI 1.2: append below, never above. */
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
