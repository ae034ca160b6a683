// plugins/async/async_entry.cpp: the async worker type's one exported
// symbol, its app check and run().
#include <cstdio>

#include "async_worker.hpp"
#include "hornet/sdk/worker_main.hpp"

namespace {

// Called before any fork. A NONBLOCKING app runs on the loop thread only;
// any other runs on the pool, several calls at once when threads > 1.
int check_async(const hornet_limits_t* limits, const hornet_app_t* app, char* err, size_t err_cap) {
    if (!limits || !app || (app->flags & (HORNET_APP_NONBLOCKING | HORNET_APP_THREAD_SAFE)) || limits->threads <= 1)
        return HORNET_OK;
    std::snprintf(err, err_cap,
                  "app %s is neither non-blocking (HORNET_APP_NONBLOCKING, run on the loop) nor thread-safe "
                  "(HORNET_APP_THREAD_SAFE) and threads is %u; run it with threads: 1 (--threads 1)",
                  app->name ? app->name : "?", limits->threads);
    return HORNET_EINVAL;
}

int run_async(const hornet_worker_ctx_t* ctx) {
    return hornet::sdk::boot_and_run<hornet::async::AsyncWorker>(ctx, "async");
}

const hornet_worker_t kAsync = {
    .head = HORNET_HEAD_INIT(hornet_worker_t),
    .name = "async",
    .version = "0.1.0",
    .flags = HORNET_WORKER_KEEPALIVE | HORNET_WORKER_CONCURRENT | HORNET_WORKER_EVENT_LOOP,
    .check = check_async,
    .run = run_async,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_worker_t* hornet_worker_entry(uint32_t, uint32_t) {
    // The host refuses a major mismatch with a clear line; just answer.
    return &kAsync;
}
