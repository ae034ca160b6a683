// The extension tables: C shims over the exchanges' timer_start and post,
// with exceptions kept on this side of the ABI.
#include "hornet/sdk/loop_extensions.hpp"

#include "hornet/sdk/exchange.hpp"
#include "hornet/support/abi_guard.hpp"

namespace hornet::sdk {
namespace {

// Whatever the worker type's exchange is, it knows its loop.
Exchange* self(hornet_exchange_t* x) { return Exchange::from(x); }

int timer_start(hornet_exchange_t* x, uint64_t ms, hornet_done_fn done, void* user_data) {
    if (!x || !done) return HORNET_EINVAL;
    return support::guarded(self(x)->host(), "timer start()", int{HORNET_EINTERNAL},
                        [&] { return self(x)->timer_start(ms, done, user_data); });
}

int loop_post(hornet_exchange_t* x, hornet_done_fn fn, void* user_data) {
    if (!x || !fn) return HORNET_EINVAL;
    return support::guarded(self(x)->host(), "loop post()", int{HORNET_EINTERNAL},
                        [&] { return self(x)->post(fn, user_data); });
}

const hornet_timer_ext_t kTimer = {
    .head = HORNET_HEAD_INIT(hornet_timer_ext_t),
    .start = timer_start,
};

const hornet_loop_ext_t kLoop = {
    .head = HORNET_HEAD_INIT(hornet_loop_ext_t),
    .post = loop_post,
};

} // namespace

const hornet_timer_ext_t& timer_extension() { return kTimer; }
const hornet_loop_ext_t& loop_extension() { return kLoop; }

void provide_loop_extensions(const hornet_worker_ctx_t* ctx) {
    if (!HORNET_HAS(ctx, hornet_worker_ctx_t, provide_extension) || !ctx->provide_extension) return;
    ctx->provide_extension(ctx, HORNET_EXT_TIMER, &kTimer);
    ctx->provide_extension(ctx, HORNET_EXT_LOOP, &kLoop);
}

} // namespace hornet::sdk
