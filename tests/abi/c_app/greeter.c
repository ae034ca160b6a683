/*
 * greeter: an app plugin in plain C99, built out of tree against an
 * installed hornet (see CMakeLists.txt for find_package, Makefile for
 * pkg-config). Answers "<greeting> <method> <path>: <n> body bytes\n", where
 * the greeting comes from app_config (`greeting:`), default "Hello".
 *
 * It exercises the parts of the ABI an app meets: create() reading config,
 * logging, the request view, a header lookup, blocking body reads, start,
 * write, finish. Stateless per request, so it declares THREAD_SAFE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hornet/app.h>

typedef struct greeter {
    char greeting[64];
} greeter;

static int greeter_create(const hornet_host_t *host, void **instance, char *err, size_t err_cap)
{
    hornet_str_t value;
    greeter *g = malloc(sizeof *g);
    if (!g) {
        snprintf(err, err_cap, "greeter: out of memory");
        return HORNET_ENOMEM;
    }
    strcpy(g->greeting, "Hello");
    if (host->config_get(host, "greeting", &value) == HORNET_OK) {
        if (value.len >= sizeof g->greeting) {
            snprintf(err, err_cap, "greeter: app_config.greeting is longer than %u bytes",
                     (unsigned)sizeof g->greeting - 1);
            free(g);
            return HORNET_EINVAL;
        }
        memcpy(g->greeting, value.ptr, value.len);
        g->greeting[value.len] = '\0';
    }
    {
        static const char line[] = "greeter: created";
        hornet_str_t msg;
        msg.ptr = line;
        msg.len = sizeof line - 1;
        host->log(host, HORNET_LOG_INFO, msg);
    }
    *instance = g;
    return HORNET_OK;
}

static void greeter_destroy(void *instance)
{
    free(instance);
}

static hornet_str_t cstr(const char *s)
{
    hornet_str_t v;
    v.ptr = s;
    v.len = strlen(s);
    return v;
}

/* Reads and counts the whole body, blocking (fine: not NONBLOCKING). */
static ptrdiff_t drain_body(hornet_exchange_t *x, const hornet_exchange_ops_t *ops)
{
    char buf[4096];
    ptrdiff_t total = 0, n;
    while ((n = ops->read(x, buf, sizeof buf)) > 0)
        total += n;
    return n < 0 ? n : total;
}

static int greeter_handle(void *instance, hornet_exchange_t *x, const hornet_exchange_ops_t *ops)
{
    const greeter *g = instance;
    const hornet_request_t *req = ops->request(x);
    hornet_str_t agent = cstr("-");
    hornet_header_t headers[2];
    char body[512], length[24];
    ptrdiff_t received = drain_body(x, ops);
    int n;

    if (received < 0) {
        ops->finish(x, (int)received); /* a 500, or a closed connection */
        return HORNET_DONE;
    }
    ops->find_header(x, cstr("user-agent"), &agent);
    n = snprintf(body, sizeof body, "%s %.*s %.*s: %ld body bytes (agent %.*s)\n", g->greeting,
                 (int)req->method.len, req->method.ptr, (int)req->path.len, req->path.ptr,
                 (long)received, (int)agent.len, agent.ptr);
    if (n < 0 || (size_t)n >= sizeof body)
        n = (int)sizeof body - 1;
    snprintf(length, sizeof length, "%d", n);
    headers[0].name = cstr("Content-Type");
    headers[0].value = cstr("text/plain; charset=utf-8");
    headers[1].name = cstr("Content-Length");
    headers[1].value = cstr(length);
    if (ops->start(x, 200, headers, 2) == HORNET_OK)
        ops->write(x, body, (size_t)n);
    ops->finish(x, 0);
    return HORNET_DONE;
}

/* Designated initializers: a later minor's appended fields start as zero
 * and the source still compiles warning-free against newer headers. */
static const hornet_app_t greeter_app = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "greeter",
    .version = "1.0.0",
    .flags = HORNET_APP_THREAD_SAFE,
    .create = greeter_create,
    .destroy = greeter_destroy,
    .worker_start = NULL,
    .worker_exit = NULL,
    .handle = greeter_handle,
};

HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t host_major, uint32_t host_minor)
{
    (void)host_minor; /* 1.0 is the oldest 1.x: any 1.x host serves us */
    return host_major == HORNET_ABI_MAJOR ? &greeter_app : NULL;
}
