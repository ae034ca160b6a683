/*
 * tests/abi/evolution/ext_app_1_1.c: an app built against the frozen 1.1
 * headers alone (tests/abi/abi_1_1), as frozen11_app.so, that uses what ABI
 * 1.1 added: the optional services of hornet/ext.h.
 *
 *   /timer?ms=N  returns PENDING after starting "hornet.timer/1" on the
 *                exchange; the timer's callback answers, on the loop thread
 *   /loop?ms=N   returns PENDING and hands the exchange to a thread of its
 *                own, which sleeps N ms and posts to the exchange's loop with
 *                "hornet.loop/1"; the posted callback answers there
 *   anything else  200 "frozen 1.1 app (plugin ABI 1.1)"
 *
 * Where the worker type offers no such service (sync, gthread) the lookup
 * must give NULL, and the app answers 501 naming the service. Before it
 * touches a table it checks that the host gave at least 1.1's struct (head,
 * magic, major, struct_size >= sizeof at 1.1): a host that grew must still
 * honour the sizes and slots a 1.1 plugin was compiled with. Any table
 * short of that, or a callback off the loop thread, is a 500 naming it.
 * Every answer carries X-Host-Minor (what the entry was told).
 *
 * Each answer is start(), one write_async and finish() in its callback, so
 * the same code answers from handle() (sync, gthread) and from the loop.
 * NONBLOCKING: handle() never waits. C99 and pthreads.
 */
#define _POSIX_C_SOURCE 200809L
#include <hornet/ext.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t seen_host_minor = 99; /* what the entry was told */
static const hornet_host_t *the_host;

typedef struct job_s {
    hornet_exchange_t *x;
    const hornet_exchange_ops_t *ops;
    pthread_t loop_thread; /* the thread that ran handle(): the loop's, under an event loop */
    struct timespec began;
    long ms;
    char length[24], minor[16];
    hornet_header_t headers[2];
    char body[192];
} job_t;

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

static void nap_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* A table the host handed over is usable by this plugin only if it is at
 * least as large as the 1.1 struct the plugin was compiled with. */
static int head_ok(const hornet_head_t *head, size_t size_at_1_1)
{
    return head && head->magic == HORNET_MAGIC && head->abi_major == HORNET_ABI_MAJOR &&
           head->struct_size >= size_at_1_1;
}

static void answered(void *user_data, ptrdiff_t result)
{
    job_t *j = user_data;
    j->ops->finish(j->x, (int)(result < 0 ? result : 0));
    free(j);
}

/* start(status) with the job's body, then one write_async; finish() in its
 * callback. Returns what handle() returns. */
static int answer(job_t *j, int status)
{
    size_t len = strlen(j->body);
    int rc;
    j->headers[0].name.ptr = "Content-Length";
    j->headers[0].name.len = 14;
    j->headers[0].value.ptr = j->length;
    j->headers[0].value.len = (size_t)snprintf(j->length, sizeof j->length, "%u", (unsigned)len);
    j->headers[1].name.ptr = "X-Host-Minor";
    j->headers[1].name.len = 12;
    j->headers[1].value.ptr = j->minor;
    j->headers[1].value.len = (size_t)snprintf(j->minor, sizeof j->minor, "%u", (unsigned)seen_host_minor);
    rc = j->ops->start(j->x, status, j->headers, 2);
    if (rc == HORNET_OK)
        rc = j->ops->write_async(j->x, j->body, len, answered, j);
    if (rc == HORNET_OK)
        return HORNET_PENDING;
    answered(j, rc);
    return HORNET_DONE;
}

static int fail(job_t *j, int status, const char *why)
{
    snprintf(j->body, sizeof j->body, "%s\n", why);
    return answer(j, status);
}

/* ---- /timer ---- */

static void on_timer(void *user_data, ptrdiff_t result)
{
    job_t *j = user_data;
    long waited = elapsed_ms(&j->began);
    if (!pthread_equal(pthread_self(), j->loop_thread)) {
        fail(j, 500, "the timer's callback ran off the loop thread");
        return;
    }
    snprintf(j->body, sizeof j->body, "timer: result %d, waited %s %ld ms, on the loop thread (plugin ABI %d.%d)\n",
             (int)result, waited >= j->ms ? "at least" : "LESS THAN", j->ms, HORNET_ABI_MAJOR, HORNET_ABI_MINOR);
    answer(j, 200);
}

static int serve_timer(job_t *j)
{
    const hornet_timer_ext_t *timer = the_host->get_extension(the_host, HORNET_EXT_TIMER);
    int rc;
    if (!timer)
        return fail(j, 501, "no hornet.timer/1 under this worker type");
    if (!head_ok(&timer->head, sizeof(hornet_timer_ext_t)))
        return fail(j, 500, "hornet.timer/1 is smaller than its ABI 1.1 table");
    rc = timer->start(j->x, (uint64_t)j->ms, on_timer, j);
    if (rc != HORNET_OK) {
        snprintf(j->body, sizeof j->body, "timer start: %d\n", rc);
        return answer(j, 500);
    }
    return HORNET_PENDING;
}

/* ---- /loop ---- */

static void on_loop(void *user_data, ptrdiff_t result)
{
    job_t *j = user_data;
    if (!pthread_equal(pthread_self(), j->loop_thread)) {
        fail(j, 500, "the posted callback ran off the loop thread");
        return;
    }
    snprintf(j->body, sizeof j->body, "loop: result %d, posted by a thread of the app's, answered on the loop thread "
             "(plugin ABI %d.%d)\n", (int)result, HORNET_ABI_MAJOR, HORNET_ABI_MINOR);
    answer(j, 200);
}

static void *poster_main(void *p)
{
    job_t *j = p;
    const hornet_loop_ext_t *loop = the_host->get_extension(the_host, HORNET_EXT_LOOP);
    int rc;
    nap_ms(j->ms);
    rc = loop->post(j->x, on_loop, j);
    if (rc != HORNET_OK) { /* post refused: fn never runs, and x is still unfinished */
        j->ops->finish(j->x, rc);
        free(j);
    }
    return NULL;
}

static int serve_loop(job_t *j)
{
    const hornet_loop_ext_t *loop = the_host->get_extension(the_host, HORNET_EXT_LOOP);
    pthread_t t;
    if (!loop)
        return fail(j, 501, "no hornet.loop/1 under this worker type");
    if (!head_ok(&loop->head, sizeof(hornet_loop_ext_t)))
        return fail(j, 500, "hornet.loop/1 is smaller than its ABI 1.1 table");
    if (pthread_create(&t, NULL, poster_main, j) != 0)
        return fail(j, 500, "no thread for the poster");
    pthread_detach(t);
    return HORNET_PENDING;
}

/* ---- the app ---- */

static int is_path(const hornet_request_t *r, const char *path)
{
    return r->path.len == strlen(path) && memcmp(r->path.ptr, path, r->path.len) == 0;
}

static long query_ms(const hornet_request_t *r)
{
    if (r->query.len > 3 && memcmp(r->query.ptr, "ms=", 3) == 0)
        return atol(r->query.ptr + 3);
    return 20;
}

static int create(const hornet_host_t *host, void **instance, char *err, size_t err_cap)
{
    if (!head_ok(host ? &host->head : NULL, sizeof(hornet_host_t))) {
        snprintf(err, err_cap, "the host table is smaller than its ABI 1.1 struct");
        return HORNET_EINVAL;
    }
    the_host = host;
    *instance = NULL;
    return HORNET_OK;
}

static void destroy(void *instance)
{
    (void)instance;
}

static int handle(void *instance, hornet_exchange_t *x, const hornet_exchange_ops_t *ops)
{
    const hornet_request_t *r;
    job_t *j = calloc(1, sizeof *j);
    (void)instance;
    if (!j)
        return ops->finish(x, HORNET_ENOMEM), HORNET_DONE;
    j->x = x;
    j->ops = ops;
    j->loop_thread = pthread_self();
    clock_gettime(CLOCK_MONOTONIC, &j->began);
    if (!head_ok(&ops->head, sizeof(hornet_exchange_ops_t)))
        return free(j), ops->finish(x, HORNET_EINTERNAL), HORNET_DONE; /* cannot even answer */
    r = ops->request(x);
    if (!head_ok(&r->head, sizeof(hornet_request_t)))
        return fail(j, 500, "the request is smaller than its ABI 1.1 struct");
    j->ms = query_ms(r);
    if (is_path(r, "/timer"))
        return serve_timer(j);
    if (is_path(r, "/loop"))
        return serve_loop(j);
    snprintf(j->body, sizeof j->body, "frozen 1.1 app (plugin ABI %d.%d)\n", HORNET_ABI_MAJOR, HORNET_ABI_MINOR);
    return answer(j, 200);
}

static const hornet_app_t app = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "frozen11",
    .version = "1.1.0",
    .flags = HORNET_APP_THREAD_SAFE | HORNET_APP_NONBLOCKING,
    .create = create,
    .destroy = destroy,
    .handle = handle,
};

HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t host_major, uint32_t host_minor)
{
    (void)host_major;
    seen_host_minor = host_minor;
    return &app;
}
