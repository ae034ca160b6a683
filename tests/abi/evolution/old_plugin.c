/*
 * tests/abi/evolution/old_plugin.c: an app and a worker type in one file,
 * built against whichever hornet headers the build gives it:
 *
 *   abi10_plugin.so   the frozen 1.0 headers (tests/abi/abi_1_0): an old
 *                     plugin, to be loaded and run by a host that has grown
 *   abi11_plugin.so   the grown headers: a plugin newer than this hornet,
 *                     which this hornet must refuse with a clear line
 *   abi11_adapting.so the grown headers with ADAPT_TO_HOST: a newer plugin
 *                     that looks at the host's ABI in its entry and describes
 *                     itself in the host's minor, so an older host loads it
 *
 * It uses only what ABI 1.0 has, and reports what it saw of the host in its
 * response headers, so the test can tell that the host's grown tables did
 * not disturb it.
 */
#include <stdio.h>
#include <string.h>

#include <hornet/worker.h>

#define STR(s) { s, sizeof(s) - 1 }

static uint32_t seen_host_minor = 99; /* what the entry was told */

static int old_create(const hornet_host_t *host, void **instance, char *err, size_t err_cap)
{
    hornet_str_t greeting;
    static char line[64];
    if (!host || host->head.magic != HORNET_MAGIC) {
        snprintf(err, err_cap, "no hornet host table");
        return HORNET_EINVAL;
    }
    if (host->config_get(host, "greeting", &greeting) != HORNET_OK) {
        greeting.ptr = "hello";
        greeting.len = 5;
    }
    snprintf(line, sizeof line, "%.*s", (int)greeting.len, greeting.ptr);
    host->log(host, HORNET_LOG_INFO, (hornet_str_t)STR("old plugin created"));
    *instance = line;
    return HORNET_OK;
}

static void old_destroy(void *instance)
{
    (void)instance;
}

static int old_handle(void *instance, hornet_exchange_t *x, const hornet_exchange_ops_t *ops)
{
    const hornet_request_t *req = ops->request(x);
    char body[256], minor[16];
    hornet_header_t headers[1];
    int n;
    snprintf(minor, sizeof minor, "%u", (unsigned)seen_host_minor);
    headers[0].name = (hornet_str_t)STR("X-Host-Minor");
    headers[0].value.ptr = minor;
    headers[0].value.len = strlen(minor);
    n = snprintf(body, sizeof body, "%s %.*s %.*s (plugin ABI %d.%d)\n", (const char *)instance,
                 (int)req->method.len, req->method.ptr, (int)req->target.len, req->target.ptr,
                 HORNET_ABI_MAJOR, HORNET_ABI_MINOR);
    ops->start(x, 200, headers, 1);
    ops->write(x, body, (size_t)n);
    ops->finish(x, 0);
    return HORNET_DONE;
}

/* Beats, counts, reads its limits and answers how many listeners and
 * threads it was given: enough to show the grown context reads right. */
static int old_run(const hornet_worker_ctx_t *ctx)
{
    ctx->ready(ctx);
    ctx->heartbeat(ctx);
    ctx->count(ctx, HORNET_COUNT_REQUESTS, 1);
    return (int)(ctx->limits->threads * 10 + ctx->listen_count);
}

/* Designated initializers: fields a newer header appends start as zero,
 * and -Wextra does not object when the struct grows. */
static hornet_app_t old_app = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "old",
    .version = "1.0.0",
    .flags = HORNET_APP_THREAD_SAFE,
    .create = old_create,
    .destroy = old_destroy,
    .handle = old_handle,
};

static hornet_worker_t old_worker = {
    .head = HORNET_HEAD_INIT(hornet_worker_t),
    .name = "old",
    .version = "1.0.0",
    .run = old_run,
};

/* A plugin built against a newer minor may still serve an older host if it
 * uses nothing newer there: it says so by describing itself in the host's
 * minor. (The descriptor stays larger than the host's struct; the host
 * reads only the fields it knows.) */
static void adapt(hornet_head_t *head, uint32_t host_major, uint32_t host_minor)
{
#ifdef ADAPT_TO_HOST
    if (host_major == HORNET_ABI_MAJOR && host_minor < HORNET_ABI_MINOR)
        head->abi_minor = (uint16_t)host_minor;
#else
    (void)head;
    (void)host_major;
    (void)host_minor;
#endif
}

HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t host_major, uint32_t host_minor)
{
    seen_host_minor = host_minor;
    adapt(&old_app.head, host_major, host_minor);
    return &old_app;
}

HORNET_EXPORT const hornet_worker_t *hornet_worker_entry(uint32_t host_major, uint32_t host_minor)
{
    adapt(&old_worker.head, host_major, host_minor);
    return &old_worker;
}
