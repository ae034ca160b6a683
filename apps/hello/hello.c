/*
 * apps/hello/hello.c: answers every request with 200 "Hello, World!\n".
 *
 * Plain C99 against include/hornet/ only: proof that an app needs nothing
 * but the ABI headers. Stateless, so THREAD_SAFE; it never waits, so
 * NONBLOCKING (it may run on an async worker's loop thread).
 */
#include <stddef.h>

#include "hornet/app.h"

#define HELLO_BODY "Hello, World!\n"
#define STR(s) { s, sizeof(s) - 1 }

static const hornet_header_t hello_headers[] = {
    { STR("Content-Type"), STR("text/plain") },
    { STR("Content-Length"), STR("14") },
};

static int hello_create(const hornet_host_t *host, void **instance, char *err, size_t err_cap)
{
    (void)host;
    (void)err;
    (void)err_cap;
    *instance = NULL;
    return 0;
}

static void hello_destroy(void *instance)
{
    (void)instance;
}

static int hello_handle(void *instance, hornet_exchange_t *x, const hornet_exchange_ops_t *ops)
{
    int rc;
    (void)instance;
    rc = ops->start(x, 200, hello_headers, sizeof hello_headers / sizeof hello_headers[0]);
    if (rc == HORNET_OK)
        rc = ops->write(x, HELLO_BODY, sizeof HELLO_BODY - 1);
    ops->finish(x, rc);
    return HORNET_DONE;
}

static const hornet_app_t hello_app = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "hello",
    .version = "1.0.0",
    .flags = HORNET_APP_THREAD_SAFE | HORNET_APP_NONBLOCKING,
    .create = hello_create,
    .destroy = hello_destroy,
    .worker_start = NULL,
    .worker_exit = NULL,
    .handle = hello_handle,
};

HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t host_major, uint32_t host_minor)
{
    (void)host_major;
    (void)host_minor;
    return &hello_app;
}
