// plugins/sync/sync_entry.cpp: the sync worker type's one exported symbol.
#include "hornet/sdk/worker_main.hpp"
#include "sync_worker.hpp"

namespace {

int run_sync(const hornet_worker_ctx_t* ctx) {
    return hornet::sdk::boot_and_run<hornet::sync::SyncWorker>(ctx, "sync");
}

const hornet_worker_t kSync = {
    .head = HORNET_HEAD_INIT(hornet_worker_t),
    .name = "sync",
    .version = "0.1.0",
    .flags = HORNET_WORKER_TLS,
    .check = nullptr, // any app runs here: PENDING apps make the thread wait
    .run = run_sync,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_worker_t* hornet_worker_entry(uint32_t, uint32_t) {
    // The host refuses a major mismatch with a clear line; just answer.
    return &kSync;
}
