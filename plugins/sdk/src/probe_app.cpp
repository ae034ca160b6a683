// The probes a worker type answers itself, before the app: health_path and
// ready_path (worker.h, ABI 1.2), for load balancers and orchestrators. An
// app like any other behind the exchange, so every worker type frames,
// logs and counts them the same way; it never blocks and has no state.
#include "probe_app.hpp"

#include "hornet/support/text.hpp"

namespace hornet::sdk {
namespace {

bool has_probes(const hornet_worker_ctx_t* ctx) {
    return ctx && HORNET_HAS(ctx, hornet_worker_ctx_t, server_state) && ctx->server_state &&
           (ctx->health_path.len != 0 || ctx->ready_path.len != 0);
}

bool healthy(const hornet_worker_ctx_t* ctx, std::string_view path) {
    const uint32_t state = ctx->server_state(ctx);
    if (state & HORNET_SERVER_STOPPING) return false;
    return path == support::view(ctx->health_path) || (state & HORNET_SERVER_READY);
}

int probe_handle(void* instance, hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    const auto* ctx = static_cast<const hornet_worker_ctx_t*>(instance);
    const bool ok = healthy(ctx, support::view(ops->request(x)->path));
    const std::string_view body = ok ? "ok\n" : "unavailable\n";
    const char length[] = {static_cast<char>('0' + body.size() / 10), static_cast<char>('0' + body.size() % 10)};
    const hornet_header_t headers[] = {
        {{"Content-Type", 12}, {"text/plain", 10}},
        {{"Content-Length", 14}, {length, 2}},
        {{"Cache-Control", 13}, {"no-store", 8}},
    };
    ops->start(x, ok ? 200 : 503, headers, 3);
    ops->write(x, body.data(), body.size());
    ops->finish(x, 0);
    return HORNET_DONE;
}

const hornet_app_t kProbeApp = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "probe",
    .version = "1",
    .flags = HORNET_APP_THREAD_SAFE | HORNET_APP_NONBLOCKING,
    .create = nullptr,
    .destroy = nullptr,
    .worker_start = nullptr,
    .worker_exit = nullptr,
    .handle = probe_handle,
    .check_config = nullptr,
    .dump_stacks = nullptr,
};

} // namespace

AppRoute route_request(const hornet_worker_ctx_t* ctx, const hornet_request_t& request) {
    const AppRoute app{ctx ? ctx->app : nullptr, ctx ? ctx->app_instance : nullptr};
    if (!has_probes(ctx)) return app;
    const std::string_view path = support::view(request.path);
    const bool probe = (ctx->health_path.len != 0 && path == support::view(ctx->health_path)) ||
                       (ctx->ready_path.len != 0 && path == support::view(ctx->ready_path));
    if (!probe) return app;
    return {&kProbeApp, const_cast<hornet_worker_ctx_t*>(ctx)};
}

} // namespace hornet::sdk
