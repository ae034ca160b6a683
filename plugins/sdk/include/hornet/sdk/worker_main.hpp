// hornet/sdk/worker_main.hpp: the body of a worker type's run(ctx).
//
// Every worker type does the same around its own loop: refuse a context
// without an app, build its worker object (a constructor that throws means
// the worker could not boot: HORNET_EXIT_BOOT_FAILED, which the arbiter
// does not respawn in a loop), run it with no exception crossing the ABI,
// and destroy it, unless it says apps still hold its exchanges
// (`bool abandoned() const`, optional), when it is left alive for them as
// the process leaves. It also offers the upgrade extensions (upgrade_extensions.hpp).
// So a worker type's entry file is its descriptor and
//   int run(const hornet_worker_ctx_t* ctx) { return sdk::boot_and_run<MyWorker>(ctx, "mine"); }
#pragma once

#include <memory>
#include <string>

#include "hornet/sdk/upgrade_extensions.hpp"
#include "hornet/support/abi_guard.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

// W(ctx) may throw; W::run() returns the exit code.
template <class W>
int boot_and_run(const hornet_worker_ctx_t* ctx, const char* type_name) noexcept {
    if (!ctx || !ctx->app || !ctx->app->handle || !ctx->limits) return HORNET_EXIT_BOOT_FAILED;
    const std::string what = std::string(type_name) + " worker";
    std::unique_ptr<W> worker;
    const int booted = support::guarded(ctx->host, (what + " boot").c_str(), int{HORNET_EXIT_BOOT_FAILED}, [&] {
        worker = std::make_unique<W>(ctx);
        return 0;
    });
    if (booted != 0) return booted;
    provide_upgrade_extensions(ctx); // every worker type can upgrade a connection (ABI 1.4)
    const int code = support::guarded(ctx->host, what.c_str(), int{1}, [&] { return worker->run(); });
    if constexpr (requires { worker->abandoned(); }) {
        if (worker->abandoned()) (void)worker.release(); // apps may still call into it
    }
    return code;
}

} // namespace hornet::sdk
