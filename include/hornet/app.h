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
    /* ABI 1.5. The connection's TLS, all empty on a plain connection (the
     * scheme then says "https" only when trusted proxy headers say so):
     * the protocol ("TLSv1.3") and cipher ("TLS_AES_128_GCM_SHA256"); with
     * cert_reqs optional or required, the verified client certificate's
     * subject in RFC 2253 form ("CN=client,O=Example") and the certificate
     * itself in PEM. Views valid until finish() returns, as the rest. Check
     * HORNET_HAS(request, hornet_request_t, tls_client_cert) first: an
     * older worker type fills none of them. */
    hornet_str_t tls_protocol;
    hornet_str_t tls_cipher;
    hornet_str_t tls_client_subject;
    hornet_str_t tls_client_cert;
    /* ABI 1.5: append below, never above. */
} hornet_request_t;

/*
 * Implemented by the worker type (plugins/sdk does it for the built-in ones).
 * Thread tags: [handler] is the thread that called handle(), while handle()
 * runs; [after PENDING] any thread once handle() has returned PENDING (so a
 * pool thread of the app's can answer later); [loop thread] inside a done
 * callback. The blocking calls (read, write, sendfile) never run on a loop
 * thread: there they return HORNET_EWOULDBLOCK (write may buffer a bounded
 * amount instead: ABI 1.1, see write). The app makes its calls on
 * one exchange one at a time, in any thread order it likes, except that
 * finish() may race an async op in flight (which then completes with
 * HORNET_ECLOSED). Done callbacks never run inside the call that started
 * them; they run on the worker's loop thread (for sync, gthread and a
 * blocking app under async: the handler or pool thread that ran handle(),
 * while it waits for finish()). At most one read_async and
 * one write_async may be in flight per exchange; a write_async's callback is
 * the "go on". Every call after finish() returns HORNET_ECLOSED at best:
 * the exchange may be gone, so do not make one.
 */
typedef struct hornet_exchange_ops_s {
    hornet_head_t head;

    /* [handler, after PENDING, loop thread] The request; it and every view
     * in it are valid until finish(). */
    const hornet_request_t *(*request)(hornet_exchange_t *x);

    /* [handler, after PENDING, loop thread] First header of that name
     * (ASCII case-insensitive). HORNET_OK or HORNET_ENOENT; *value is a view
     * into the request, valid until finish(). */
    int (*find_header)(hornet_exchange_t *x, hornet_str_t name,
                       hornet_str_t *value);

    /* [handler, after PENDING] Blocking read of the body, de-chunked: bytes
     * read, 0 at the end, or <0 (HORNET_ETOOBIG past limit_request_body,
     * HORNET_EIO, HORNET_ECLOSED). Sends 100 Continue first when the client
     * expects it. On a loop thread it returns HORNET_EWOULDBLOCK: use
     * read_async there. buf is the app's. */
    ptrdiff_t (*read)(hornet_exchange_t *x, void *buf, size_t cap);

    /* [handler, after PENDING, loop thread] As read(), without blocking:
     * returns HORNET_OK and later calls done(user_data, bytes | 0 at end |
     * <0) on the loop thread, never inside this call; or returns <0 now
     * (HORNET_EBUSY with a read_async already in flight) and done never
     * runs. buf (the app's) must live until done runs. */
    int (*read_async)(hornet_exchange_t *x, void *buf, size_t cap,
                      hornet_done_fn done, void *user_data);

    /* [handler, after PENDING, loop thread] The status line and headers,
     * once. The reason phrase comes from the status. A Content-Length header
     * makes the body fixed-length; without one it is chunked (HTTP/1.1) or
     * ends with the connection (HTTP/1.0). Connection, Transfer-Encoding,
     * Date and Server are the worker's: the app's are ignored. Headers are
     * copied before the call returns. */
    int (*start)(hornet_exchange_t *x, int status,
                 const hornet_header_t *headers, size_t count);

    /* [handler, after PENDING] Blocking write of body bytes, after start();
     * for a HEAD request the worker discards them. data is the app's and is
     * not kept once the call returns. On a loop thread: HORNET_EWOULDBLOCK,
     * or (ABI 1.1, a worker type may) the bytes are copied into the
     * connection's bounded output buffer and sent later; past that bound
     * HORNET_EWOULDBLOCK and nothing is taken: use write_async there. */
    int (*write)(hornet_exchange_t *x, const void *data, size_t len);

    /* [handler, after PENDING, loop thread] As write(), without blocking;
     * done(user_data, 0 | <0) runs on the loop thread, never inside this
     * call, and is the signal to write more (one write_async in flight: else
     * HORNET_EBUSY). data (the app's) must live until done runs. */
    int (*write_async)(hornet_exchange_t *x, const void *data, size_t len,
                       hornet_done_fn done, void *user_data);

    /* [handler, after PENDING] Blocking send of len bytes of fd from offset;
     * the app still owns fd (and may close it once the call returns). Falls
     * back to read+write where sendfile(2) cannot be used. */
    int (*sendfile)(hornet_exchange_t *x, int fd, uint64_t offset,
                    uint64_t len);

    /* [handler, after PENDING, loop thread] Ends the exchange, exactly once.
     * error == 0 completes the response (start(200) implied when nothing was
     * started); error != 0 aborts it: a 500 if nothing was sent yet,
     * otherwise the connection is closed. After finish() the exchange and
     * every view are gone. */
    int (*finish)(hornet_exchange_t *x, int error);

    /* ABI 1.5. Read only under HORNET_HAS(ops, hornet_exchange_ops_t,
     * watch_peer) and when not NULL. [handler, after PENDING, loop thread]
     * Tells the app when the client goes away while it holds the exchange
     * (an idle long poll, a stream with nothing to send): HORNET_OK, and
     * done(user_data, result) runs exactly once, on the loop thread, never
     * inside this call: result HORNET_ECLOSED once the client closed the
     * connection (its side shut, a reset) before finish(), and the app
     * should stop (finish() is still owed); result 0 at finish() when the
     * client was still there. Bytes the client sends meanwhile (a
     * pipelined request) are left for later and are no sign of leaving.
     * Or <0 now, and done never runs: HORNET_EBUSY (a watch is already
     * set on x), HORNET_ECLOSED (x is finished), HORNET_EINVAL (this
     * worker type cannot tell: sync, gthread, a blocking exchange; the app
     * learns from a failed write, as before). user_data is the app's. */
    int (*watch_peer)(hornet_exchange_t *x, hornet_done_fn done,
                      void *user_data);

    /* ABI 1.6. Read only under HORNET_HAS(ops, hornet_exchange_ops_t,
     * trailers) and when not NULL. [handler, after PENDING, loop thread]
     * Trailer fields for the response, after start() and before finish():
     * they follow the last chunk, which finish() sends. May be called more
     * than once (the fields add up). The fields are copied before the call
     * returns. They reach the client only on a chunked response (no
     * Content-Length from the app, HTTP/1.1, a status with a body, not
     * HEAD) to a request whose TE header lists "trailers" (RFC 9110 6.5):
     * otherwise they are dropped and the call still succeeds, so an app
     * need not know the client. Name the fields in a Trailer header of the
     * head if the client should expect them. HORNET_OK (kept or dropped);
     * HORNET_EINVAL before start(), for a name that is not a token, a
     * value with a control byte (CR, LF, NUL...) or a field that must not
     * be a trailer (Content-Length, Transfer-Encoding, Connection,
     * Trailer, Host and the like: framing and routing), and then nothing
     * of this call is kept; HORNET_ECLOSED after finish(). */
    int (*trailers)(hornet_exchange_t *x, const hornet_header_t *fields,
                    size_t count);
    /* ABI 1.6: append below, never above. */
} hornet_exchange_ops_t;

typedef struct hornet_app_s {
    hornet_head_t head;
    const char *name;    /* short name: "hello" */
    const char *version; /* the app's own version: "1.0.0" */
    uint32_t flags;      /* HORNET_APP_* */

    /* Static strings above: owned by the plugin, valid until unload. */

    /* [arbiter] with preload_app (before fork, so workers share the
     * instance copy-on-write), else [worker main] after fork, before
     * worker_start. One instance per process; *instance is the app's own,
     * opaque to hornet. app_config is read through host->config_get; host
     * stays valid until destroy() returns. On failure return <0 and write
     * one line into err (NUL-terminated, at most err_cap bytes including the
     * NUL, caller-owned); hornet logs it and stops. */
    int (*create)(const hornet_host_t *host, void **instance, char *err,
                  size_t err_cap);
    /* [worker main] or [arbiter], in the process that created it, after the
     * last handle() has finished and after worker_exit. Frees the instance. */
    void (*destroy)(void *instance);

    /* Optional (NULL). [worker main] In each worker after fork, before the
     * first request; and as the worker leaves, after the last exchange has
     * finished. */
    void (*worker_start)(void *instance);
    void (*worker_exit)(void *instance);

    /* [handler] One request; returns HORNET_DONE (finish() was called) or
     * HORNET_PENDING (finish() will be called, from any thread). Runs on
     * many threads at once only with HORNET_APP_THREAD_SAFE, and on a loop
     * thread (where blocking calls fail) only with HORNET_APP_NONBLOCKING.
     * x and ops are the worker's; neither may be used after finish(). */
    int (*handle)(void *instance, hornet_exchange_t *x,
                  const hornet_exchange_ops_t *ops);

    /* ABI 1.2. Optional (NULL); read by the host only under
     * HORNET_HAS(app, hornet_app_t, check_config). [arbiter] before any
     * fork: at start, for --check-config and for every reload (before the
     * serving generation is touched). Checks app_config through
     * host->config_get (and the files it names) without side effects:
     * start no interpreter or thread in this process, write no file, keep
     * no state (a child process reaped before returning is fine).
     * Returns HORNET_OK, or <0 with one line in err (NUL-terminated, at
     * most err_cap bytes including the NUL, caller-owned) naming the key
     * and what to do; hornet then refuses the configuration: exit status 2
     * at start, the running generation kept on a reload. create() must
     * still cope with a bad config (an older host never calls this). */
    int (*check_config)(const hornet_host_t *host, char *err, size_t err_cap);
    /* ABI 1.3: append below, never above. */

    /* ABI 1.3. Optional (NULL); read by the host only under
     * HORNET_HAS(app, hornet_app_t, dump_stacks). [any thread]: the
     * worker's dump thread, while other threads may be hung anywhere
     * (inside handle(), holding the app's locks or an interpreter's).
     * Writes the app's own view of its stacks (an interpreter's threads
     * and their frames) as plain text lines to fd, which the host owns and
     * reads once this returns; it follows the native stacks in a stack
     * dump (docs/operations.md). Must not allocate, take a lock or an
     * interpreter's global lock, or wait on another thread: write() is
     * fine. Never called before create() has returned or once
     * worker_exit() has begun. Returns HORNET_OK, or <0 when it could not
     * (what it wrote stays in the dump). */
    int (*dump_stacks)(void *instance, int fd);
} hornet_app_t;

/* The one symbol an app plugin exports. [arbiter] before fork, and by
 * --check-config and --list-plugins: keep it cheap and free of side effects.
 * The host passes its own ABI version so the plugin may refuse (return NULL)
 * or adapt (describe itself with a minor the host speaks). The descriptor is
 * the plugin's, constant, and must stay valid until the plugin is unloaded. */
typedef const hornet_app_t *(*hornet_app_entry_fn)(uint32_t host_major,
                                                   uint32_t host_minor);
#define HORNET_APP_ENTRY "hornet_app_entry"
HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t host_major,
                                                   uint32_t host_minor);

#ifdef __cplusplus
}
#endif

#endif /* HORNET_APP_H */
