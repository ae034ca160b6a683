// plugins/uring/uring_entry.cpp: the uring worker type's one exported
// symbol, its checks (the app, and whether io_uring works here) and run().
#include <cstdio>
#include <string>

#include "hornet/sdk/app_check.hpp"
#include "hornet/sdk/worker_main.hpp"
#include "ring_probe.hpp"
#include "uring_worker.hpp"

namespace {

// Called before any fork (at --check-config and at start): the refusal is
// the one line the arbiter prints.
int check_uring(const hornet_limits_t* limits, const hornet_app_t* app, char* err, size_t err_cap) {
    if (const std::string why = hornet::uring::probe_ring(); !why.empty()) {
        std::snprintf(err, err_cap, "%s", why.c_str());
        return HORNET_EINVAL;
    }
    return hornet::sdk::check_loop_app(limits, app, "ring", err, err_cap);
}

int run_uring(const hornet_worker_ctx_t* ctx) {
    return hornet::sdk::boot_and_run<hornet::uring::UringWorker>(ctx, "uring");
}

const hornet_worker_t kUring = {
    .head = HORNET_HEAD_INIT(hornet_worker_t),
    .name = "uring",
    .version = "0.1.0",
    .flags = HORNET_WORKER_KEEPALIVE | HORNET_WORKER_CONCURRENT | HORNET_WORKER_EVENT_LOOP,
    .check = check_uring,
    .run = run_uring,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_worker_t* hornet_worker_entry(uint32_t, uint32_t) { return &kUring; }
