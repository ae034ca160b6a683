// plugins/async/async_entry.cpp: the async worker type's one exported
// symbol, its app check and run().
#include "async_worker.hpp"
#include "hornet/sdk/app_check.hpp"
#include "hornet/sdk/worker_main.hpp"

namespace {

// Called before any fork (hornet/sdk/app_check.hpp says the rule).
int check_async(const hornet_limits_t* limits, const hornet_app_t* app, char* err, size_t err_cap) {
    return hornet::sdk::check_loop_app(limits, app, "loop", err, err_cap);
}

int run_async(const hornet_worker_ctx_t* ctx) {
    return hornet::sdk::boot_and_run<hornet::async::AsyncWorker>(ctx, "async");
}

const hornet_worker_t kAsync = {
    .head = HORNET_HEAD_INIT(hornet_worker_t),
    .name = "async",
    .version = "0.1.0",
    .flags = HORNET_WORKER_KEEPALIVE | HORNET_WORKER_CONCURRENT | HORNET_WORKER_EVENT_LOOP | HORNET_WORKER_TLS,
    .check = check_async,
    .run = run_async,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_worker_t* hornet_worker_entry(uint32_t, uint32_t) {
    // The host refuses a major mismatch with a clear line; just answer.
    return &kAsync;
}
