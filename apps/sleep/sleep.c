/*
 * apps/sleep/sleep.c: GET /?ms=N waits N milliseconds, then answers 200
 * "slept N ms\n".
 *
 * How every worker type's concurrency is shown and benchmarked: a request
 * that waits, like an app waiting on a database. N defaults to app_config
 * `ms`, else 100; it is capped at 60000, and anything but a whole number in
 * range is a 400. Where the worker type offers the timer extension
 * ("hornet.timer/1", ABI 1.1: the async worker) the wait holds no thread:
 * handle() starts a timer and returns PENDING, and the timer's callback, on
 * the worker's loop, answers. Elsewhere (sync, gthread: no timer) it blocks
 * the calling thread (nanosleep), holding a worker or a handler thread.
 * The flags are static, so it declares NONBLOCKING for the async case; the
 * blocking fallback is harmless, since sync and gthread never run apps on
 * a loop. THREAD_SAFE. Plain C99 against include/hornet/ only.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hornet/app.h"
#include "hornet/ext.h"

#define SLEEP_DEFAULT_MS 100u
#define SLEEP_MAX_MS 60000u
#define SLEEP_NO_TIMER 2 /* neither HORNET_DONE nor HORNET_PENDING */
#define STR(s) { s, sizeof(s) - 1 }

typedef struct sleep_app_s {
    unsigned default_ms;
    const hornet_host_t *host;
} sleep_app_t;

/* One request waiting on the timer; freed by its callback. */
typedef struct sleep_wait_s {
    hornet_exchange_t *x;
    const hornet_exchange_ops_t *ops;
    unsigned ms;
} sleep_wait_t;

/* A whole number of milliseconds, 0..SLEEP_MAX_MS: 0 and *ms set, or -1. */
static int parse_ms(const char *p, size_t len, unsigned *ms)
{
    unsigned long v = 0;
    size_t i;
    if (len == 0 || len > 5)
        return -1;
    for (i = 0; i < len; ++i) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    if (v > SLEEP_MAX_MS)
        return -1;
    *ms = (unsigned)v;
    return 0;
}

/* The `ms` parameter of the query: 1 found (value in *value), 0 absent. */
static int find_ms(hornet_str_t query, hornet_str_t *value)
{
    const char *p = query.ptr, *end = query.ptr + query.len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop - p >= 3 && memcmp(p, "ms=", 3) == 0) {
            value->ptr = p + 3;
            value->len = (size_t)(stop - p - 3);
            return 1;
        }
        if (stop - p == 2 && memcmp(p, "ms", 2) == 0) { /* "?ms": no value */
            value->ptr = stop;
            value->len = 0;
            return 1;
        }
        p = stop + 1;
    }
    return 0;
}

static void sleep_ms(unsigned ms)
{
    struct timespec left;
    left.tv_sec = (time_t)(ms / 1000);
    left.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

static int answer(hornet_exchange_t *x, const hornet_exchange_ops_t *ops, int status, const char *body)
{
    char length[16];
    hornet_header_t headers[2] = {
        { STR("Content-Type"), STR("text/plain") },
        { STR("Content-Length"), { length, 0 } },
    };
    const size_t len = strlen(body);
    int rc;
    headers[1].value.len = (size_t)snprintf(length, sizeof length, "%zu", len);
    rc = ops->start(x, status, headers, 2);
    if (rc == HORNET_OK)
        rc = ops->write(x, body, len);
    return rc;
}

/* app_config.ms into *ms (left alone when unset); <0 with the line in err. */
static int read_default_ms(const hornet_host_t *host, unsigned *ms, char *err, size_t err_cap)
{
    hornet_str_t v;
    if (!host || !host->config_get || host->config_get(host, "ms", &v) != HORNET_OK)
        return HORNET_OK;
    if (parse_ms(v.ptr, v.len, ms) == 0)
        return HORNET_OK;
    snprintf(err, err_cap, "app_config.ms: '%.*s' is not a whole number of milliseconds from 0 to %u",
             (int)(v.len > 64 ? 64 : v.len), v.ptr, SLEEP_MAX_MS);
    return HORNET_EINVAL;
}

/* ABI 1.2: the same check in the arbiter, before any worker is forked. */
static int sleep_check_config(const hornet_host_t *host, char *err, size_t err_cap)
{
    unsigned ms = SLEEP_DEFAULT_MS;
    return read_default_ms(host, &ms, err, err_cap);
}

static int sleep_create(const hornet_host_t *host, void **instance, char *err, size_t err_cap)
{
    sleep_app_t *app = malloc(sizeof *app);
    if (!app) {
        snprintf(err, err_cap, "out of memory");
        return HORNET_ENOMEM;
    }
    app->default_ms = SLEEP_DEFAULT_MS;
    app->host = host;
    if (read_default_ms(host, &app->default_ms, err, err_cap) != HORNET_OK) {
        free(app);
        return HORNET_EINVAL;
    }
    *instance = app;
    return HORNET_OK;
}

static void sleep_destroy(void *instance)
{
    free(instance);
}

/* The worker's timer, where it has one (async): looked up per request, since
 * the worker type offers it only once it runs (not in create()). */
static const hornet_timer_ext_t *find_timer(const sleep_app_t *app)
{
    const hornet_timer_ext_t *timer;
    if (!app->host || !app->host->get_extension)
        return NULL;
    timer = app->host->get_extension(app->host, HORNET_EXT_TIMER);
    return timer && HORNET_HAS(timer, hornet_timer_ext_t, start) ? timer : NULL;
}

static int answer_slept(hornet_exchange_t *x, const hornet_exchange_ops_t *ops, unsigned ms)
{
    char body[32];
    snprintf(body, sizeof body, "slept %u ms\n", ms);
    return answer(x, ops, 200, body);
}

/* [loop thread] The timer went off (0), or the worker stops at once (<0). */
static void on_timer(void *user_data, ptrdiff_t result)
{
    sleep_wait_t *w = user_data;
    w->ops->finish(w->x, result == 0 ? answer_slept(w->x, w->ops, w->ms) : (int)result);
    free(w);
}

/* HORNET_PENDING when the timer took the wait; SLEEP_NO_TIMER when there is
 * no timer here (block instead); <0 when the timer refused (never block a
 * loop). */
static int wait_on_timer(const sleep_app_t *app, hornet_exchange_t *x, const hornet_exchange_ops_t *ops,
                         unsigned ms)
{
    const hornet_timer_ext_t *timer = find_timer(app);
    sleep_wait_t *w;
    int rc;
    if (!timer)
        return SLEEP_NO_TIMER;
    if (!(w = malloc(sizeof *w)))
        return HORNET_ENOMEM;
    w->x = x;
    w->ops = ops;
    w->ms = ms;
    rc = timer->start(x, ms, on_timer, w);
    if (rc != HORNET_OK) {
        free(w);
        return rc;
    }
    return HORNET_PENDING;
}

static int sleep_handle(void *instance, hornet_exchange_t *x, const hornet_exchange_ops_t *ops)
{
    const sleep_app_t *app = instance;
    const hornet_request_t *r = ops->request(x);
    unsigned ms = app->default_ms;
    hornet_str_t v;
    int rc;
    if (r && find_ms(r->query, &v) && parse_ms(v.ptr, v.len, &ms) != 0) {
        rc = answer(x, ops, 400, "bad ms: use ?ms=N, N a whole number from 0 to 60000\n");
    } else {
        rc = wait_on_timer(app, x, ops, ms);
        if (rc == HORNET_PENDING)
            return HORNET_PENDING;
        if (rc == SLEEP_NO_TIMER) {
            sleep_ms(ms);
            rc = answer_slept(x, ops, ms);
        }
    }
    ops->finish(x, rc);
    return HORNET_DONE;
}

static const hornet_app_t sleep_app = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "sleep",
    .version = "1.0.0",
    .flags = HORNET_APP_THREAD_SAFE | HORNET_APP_NONBLOCKING,
    .create = sleep_create,
    .destroy = sleep_destroy,
    .worker_start = NULL,
    .worker_exit = NULL,
    .handle = sleep_handle,
    .check_config = sleep_check_config,
};

HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t host_major, uint32_t host_minor)
{
    (void)host_major;
    (void)host_minor;
    return &sleep_app;
}
