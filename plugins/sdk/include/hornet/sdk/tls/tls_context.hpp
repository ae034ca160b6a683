// hornet/sdk/tls/tls_context.hpp: the certificates and rules of one TLS
// setup (a hornet_tls_t), loaded into OpenSSL.
//
// Built from the worker context's hornet_tls_t after fork, by TlsListeners;
// and by the arbiter's config check (core/tls), which builds one and drops
// it, so that a bad file, a key that does not match its certificate or an
// expired certificate is one line at --check-config, at start and at a
// reload (which then keeps the old generation). The line names the setting,
// the file and OpenSSL's reason. Holds one SSL_CTX per certificate (SNI
// picks one by server_name; the first is the default), ALPN (http/1.1),
// client-certificate verification (cert_reqs, ca_certs) and session tickets
// whose keys derive from the arbiter's secret (ticket_keys.hpp), so a
// session resumes in any worker. OpenSSL stays out of this header.
// Immutable after build(); sessions may be opened from any thread.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "hornet/worker.h"

struct ssl_ctx_st;

namespace hornet::sdk {

// One line: what, which file, why.
class TlsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class TlsContext {
public:
    // Throws TlsError.
    static std::shared_ptr<TlsContext> build(const hornet_tls_t& settings);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    // The default certificate's context: what a new session starts with.
    ssl_ctx_st* default_ctx() const;

    struct Impl;

private:
    explicit TlsContext(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The reason OpenSSL queued for the last failure (and the queue cleared).
std::string tls_error_text();

} // namespace hornet::sdk
