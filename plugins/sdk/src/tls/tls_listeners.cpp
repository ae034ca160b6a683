// The worker's TLS listeners; see tls_listeners.hpp.
#include "hornet/sdk/tls/tls_listeners.hpp"

namespace hornet::sdk {

TlsListeners::TlsListeners(const hornet_worker_ctx_t* ctx) {
    if (!ctx || !HORNET_HAS(ctx, hornet_worker_ctx_t, listen_tls) || !ctx->tls || !ctx->listen_tls) return;
    tls_.assign(ctx->listen_count, false);
    bool any = false;
    for (size_t i = 0; i < ctx->listen_count; ++i) any = any || (tls_[i] = ctx->listen_tls[i] != 0);
    if (any) context_ = TlsContext::build(*ctx->tls);
}

std::unique_ptr<TlsSession> TlsListeners::open(const ConnectionAddresses& addresses) const {
    if (!is_tls(addresses.listener)) return nullptr;
    return std::make_unique<TlsSession>(context_);
}

} // namespace hornet::sdk
