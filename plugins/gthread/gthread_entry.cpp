// plugins/gthread/gthread_entry.cpp: the gthread worker type's one exported
// symbol, its app check and run().
#include <cstdio>

#include "gthread_worker.hpp"
#include "hornet/sdk/worker_main.hpp"

namespace {

// Called before any fork: an app that has not said it is thread-safe would
// have handle() run on several threads at once.
int check_gthread(const hornet_limits_t* limits, const hornet_app_t* app, char* err, size_t err_cap) {
    if (!limits || !app || limits->threads <= 1 || (app->flags & HORNET_APP_THREAD_SAFE)) return HORNET_OK;
    std::snprintf(err, err_cap,
                  "app %s does not declare itself thread-safe (HORNET_APP_THREAD_SAFE) and threads is %u; "
                  "run it with threads: 1 (--threads 1), or with worker_class: sync",
                  app->name ? app->name : "?", limits->threads);
    return HORNET_EINVAL;
}

int run_gthread(const hornet_worker_ctx_t* ctx) {
    return hornet::sdk::boot_and_run<hornet::gthread::GthreadWorker>(ctx, "gthread");
}

const hornet_worker_t kGthread = {
    .head = HORNET_HEAD_INIT(hornet_worker_t),
    .name = "gthread",
    .version = "0.1.0",
    .flags = HORNET_WORKER_KEEPALIVE | HORNET_WORKER_CONCURRENT | HORNET_WORKER_TLS,
    .check = check_gthread,
    .run = run_gthread,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_worker_t* hornet_worker_entry(uint32_t, uint32_t) {
    // The host refuses a major mismatch with a clear line; just answer.
    return &kGthread;
}
