// hornet/sdk/tls/tls_listeners.hpp: which of a worker's listeners speak
// TLS, and a session for each connection they accept.
//
// Built once per worker process from the context (ABI 1.5: ctx->tls,
// ctx->listen_tls), after fork: it loads the generation's certificates
// (TlsContext). A worker type asks open(addresses) for every accepted
// connection: a session when its listener speaks TLS, else null; the
// session keeps this generation's certificates alive. Throws TlsError from
// the constructor when a file cannot be loaded (the arbiter checked them,
// so only a file changed since then). Any thread may call open().
#pragma once

#include <memory>
#include <vector>

#include "hornet/sdk/socket_address.hpp"
#include "hornet/sdk/tls/tls_context.hpp"
#include "hornet/sdk/tls/tls_session.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

class TlsListeners {
public:
    explicit TlsListeners(const hornet_worker_ctx_t* ctx);

    // Does any listener speak TLS?
    bool any() const { return context_ != nullptr; }
    bool is_tls(size_t listener) const { return listener < tls_.size() && tls_[listener]; }
    // A session for a connection accepted from addresses.listener, or null.
    std::unique_ptr<TlsSession> open(const ConnectionAddresses& addresses) const;

private:
    std::shared_ptr<const TlsContext> context_;
    std::vector<bool> tls_;
};

} // namespace hornet::sdk
