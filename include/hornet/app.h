/*
 * hornet/app.h: the application interface (the WSGI of hornet).
 *
 * An app plugin exports hornet_app_entry(), which returns a const descriptor.
 * The host makes one instance per process with create(): in each worker after
 * fork, or once in the arbiter before fork with preload_app. For every request
 * the worker type calls handle() with an exchange and the ops that act on it.
 * The app never sees a socket, never parses HTTP and never frames the body:
 * the worker type does Content-Length, chunked, HEAD and keep-alive.
 *
 * handle() returns HORNET_DONE once it has called finish(), or HORNET_PENDING
 * when it will call finish() later, from any thread. Every worker type honours
 * PENDING: sync and gthread wait for finish() on the handler thread (running
 * the exchange's async completions meanwhile); async keeps serving others.
 */
#ifndef HORNET_APP_H
#define HORNET_APP_H

#include "hornet/host.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hornet_exchange_s hornet_exchange_t; /* opaque, worker-owned */

enum { HORNET_DONE = 0, HORNET_PENDING = 1 }; /* handle() results */

/* App capability flags. */
enum {
    HORNET_APP_THREAD_SAFE = 1u << 0, /* handle() may run on many threads at once */
    HORNET_APP_NONBLOCKING = 1u << 1  /* handle() never blocks: may run on a loop */
};

/* Request flags. */
enum {
    HORNET_REQ_CHUNKED = 1u << 0,        /* body framed with chunked coding    */
    HORNET_REQ_EXPECT_CONTINUE = 1u << 1,/* client sent Expect: 100-continue   */
    HORNET_REQ_KEEP_ALIVE = 1u << 2      /* client would keep the connection   */
};

/* One parsed request. Every view stays valid until finish() returns. */
typedef struct hornet_request_s {
    hornet_head_t head;
    hornet_str_t method;  /* "GET" */
    hornet_str_t target;  /* as sent: "/a%20b?x=1" */
    hornet_str_t path;    /* target up to '?', not percent-decoded: "/a%20b" */
    hornet_str_t query;   /* after '?', without it; empty if none */
    int version;          /* 10 for HTTP/1.0, 11 for HTTP/1.1 */
    hornet_str_t scheme;  /* "http" or "https" (as trusted proxies say) */
    hornet_str_t peer_host;   /* "127.0.0.1", "::1", or "" on a unix socket */
    uint16_t peer_port;
    hornet_str_t server_host; /* local address, or the unix socket path */
    uint16_t server_port;
    const hornet_header_t *headers; /* in arrival order, names as sent */
    size_t header_count;
    int64_t content_length; /* -1 when not known (chunked); 0 when no body */
    uint32_t flags;         /* HORNET_REQ_* */
    /* ABI 1.1: append below, never above. */
} hornet_request_t;

/*
 * Implemented by the worker type (plugins/sdk does it for the built-in ones).
 * Thread tags: [handler] is the thread that called handle(); [any thread]
 * may be called from any thread once handle() has returned PENDING.
 * Done callbacks never run inside the call that started them; they run on
 * the worker's loop thread (for sync and gthread: the handler thread, while
 * it waits for finish()). At most one read_async and one write_async may be
 * in flight per exchange; a write_async's callback is the "go on".
 */
typedef struct hornet_exchange_ops_s {
    hornet_head_t head;

    /* [handler, any thread after PENDING] The request; valid until finish(). */
    const hornet_request_t *(*request)(hornet_exchange_t *x);

    /* First header of that name (case-insensitive). HORNET_OK or
     * HORNET_ENOENT; *value is valid until finish(). */
    int (*find_header)(hornet_exchange_t *x, hornet_str_t name,
                       hornet_str_t *value);

    /* [handler] Blocking read of the body, de-chunked: bytes read, 0 at the
     * end, or <0. Sends 100 Continue first when the client expects it. On a
     * loop thread it returns HORNET_EWOULDBLOCK: use read_async there. */
    ptrdiff_t (*read)(hornet_exchange_t *x, void *buf, size_t cap);

    /* [loop thread or handler] As read(); buf must live until done runs. */
    int (*read_async)(hornet_exchange_t *x, void *buf, size_t cap,
                      hornet_done_fn done, void *user_data);

    /* [handler, any thread after PENDING] The status line and headers, once.
     * The reason phrase comes from the status. A Content-Length header makes
     * the body fixed-length; without one it is chunked (HTTP/1.1) or ends
     * with the connection (HTTP/1.0). Connection, Transfer-Encoding, Date and
     * Server are the worker's: the app's are ignored. Headers are copied. */
    int (*start)(hornet_exchange_t *x, int status,
                 const hornet_header_t *headers, size_t count);

    /* [handler] Blocking write of body bytes (start() first). */
    int (*write)(hornet_exchange_t *x, const void *data, size_t len);

    /* [loop thread or handler] As write(); data must live until done runs. */
    int (*write_async)(hornet_exchange_t *x, const void *data, size_t len,
                       hornet_done_fn done, void *user_data);

    /* [handler] Blocking send of len bytes of fd from offset; the app still
     * owns fd. Falls back to read+write where sendfile(2) cannot be used. */
    int (*sendfile)(hornet_exchange_t *x, int fd, uint64_t offset,
                    uint64_t len);

    /* [any thread] Ends the exchange, exactly once. error == 0 completes the
     * response (start(200) implied when nothing was started); error != 0
     * aborts it: a 500 if nothing was sent yet, otherwise the connection is
     * closed. After finish() the exchange and every view are gone. */
    int (*finish)(hornet_exchange_t *x, int error);
    /* ABI 1.1: append below, never above. */
} hornet_exchange_ops_t;

typedef struct hornet_app_s {
    hornet_head_t head;
    const char *name;    /* short name: "hello" */
    const char *version; /* the app's own version: "1.0.0" */
    uint32_t flags;      /* HORNET_APP_* */

    /* One instance per process. app_config is read through host->config_get.
     * On failure return <0 and write one line into err (NUL-terminated,
     * at most err_cap bytes including the NUL). */
    int (*create)(const hornet_host_t *host, void **instance, char *err,
                  size_t err_cap);
    void (*destroy)(void *instance);

    /* Optional (NULL): in each worker after fork, before the first request;
     * and as the worker leaves, after the last. */
    void (*worker_start)(void *instance);
    void (*worker_exit)(void *instance);

    /* One request; returns HORNET_DONE or HORNET_PENDING. */
    int (*handle)(void *instance, hornet_exchange_t *x,
                  const hornet_exchange_ops_t *ops);
    /* ABI 1.1: append below, never above. */
} hornet_app_t;

/* The one symbol an app plugin exports. The host passes its own ABI version
 * so the plugin may refuse (return NULL) or adapt. */
typedef const hornet_app_t *(*hornet_app_entry_fn)(uint32_t host_major,
                                                   uint32_t host_minor);
#define HORNET_APP_ENTRY "hornet_app_entry"
HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t host_major,
                                                   uint32_t host_minor);

#ifdef __cplusplus
}
#endif

#endif /* HORNET_APP_H */
