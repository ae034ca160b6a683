// plugins/sync/sync_entry.cpp: the sync worker type's one exported symbol.
#include <optional>

#include "hornet/sdk/abi_guard.hpp"
#include "sync_worker.hpp"

namespace {

int run_sync(const hornet_worker_ctx_t* ctx) {
    if (!ctx || !ctx->app || !ctx->app->handle) return HORNET_EXIT_BOOT_FAILED;
    std::optional<hornet::sync::SyncWorker> worker;
    const int booted = hornet::sdk::guarded(ctx->host, "sync worker boot", int{HORNET_EXIT_BOOT_FAILED}, [&] {
        worker.emplace(ctx);
        return 0;
    });
    if (booted != 0) return booted;
    return hornet::sdk::guarded(ctx->host, "sync worker", int{1}, [&] { return worker->run(); });
}

const hornet_worker_t kSync = {
    .head = HORNET_HEAD_INIT(hornet_worker_t),
    .name = "sync",
    .version = "0.1.0",
    .flags = 0,
    .check = nullptr, // any app runs here: PENDING apps make the thread wait
    .run = run_sync,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_worker_t* hornet_worker_entry(uint32_t, uint32_t) {
    // The host refuses a major mismatch with a clear line; just answer.
    return &kSync;
}
