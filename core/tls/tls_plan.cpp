// A generation's TLS; see tls_plan.hpp.
#include "tls/tls_plan.hpp"

#include <array>

#include <openssl/rand.h>

#include "config/bind_address.hpp"
#include "config/config_error.hpp"
#include "hornet/sdk/tls/tls_context.hpp"

namespace hornet {
namespace {

hornet_str_t view(const std::string& s) { return {s.data(), s.size()}; }

// Made on first use, in the arbiter before any fork; never written anywhere.
const std::array<unsigned char, 32>& ticket_secret() {
    static const std::array<unsigned char, 32> secret = [] {
        std::array<unsigned char, 32> s{};
        if (RAND_bytes(s.data(), static_cast<int>(s.size())) != 1)
            throw ConfigError("tls: cannot get random bytes for the session-ticket keys");
        return s;
    }();
    return secret;
}

uint16_t min_version(const std::string& v) { return v == "tlsv1_3" || v == "tlsv1.3" ? 0x0304 : 0x0303; }

int cert_reqs(const std::string& v) {
    if (v == "required") return HORNET_TLS_CERT_REQUIRED;
    return v == "optional" ? HORNET_TLS_CERT_OPTIONAL : HORNET_TLS_CERT_NONE;
}

} // namespace

TlsPlan::TlsPlan(const Config& c) {
    const bool has_cert = !c.certfile.empty();
    for (const std::string& entry : c.bind) {
        std::string_view spec = entry;
        const BindScheme scheme = split_bind_scheme(spec);
        if (scheme == BindScheme::https && !has_cert)
            throw ConfigError("bind " + entry + ": https needs a certificate: set certfile and keyfile");
        const bool on = scheme == BindScheme::https || (scheme == BindScheme::any && has_cert);
        specs.emplace_back(spec);
        listen_tls.push_back(on ? 1 : 0);
        any_ = any_ || on;
    }
    if (!has_cert && !c.certificates.empty())
        throw ConfigError("certificates: SNI certificates need a default one: set certfile and keyfile");
    if (!any_) return;
    certs_.push_back({{"", 0}, view(c.certfile), view(c.keyfile)});
    for (const TlsCertificate& t : c.certificates)
        certs_.push_back({view(t.server_name), view(t.certfile), view(t.keyfile)});
    tls.head = HORNET_HEAD_INIT(hornet_tls_t);
    tls.certs = certs_.data();
    tls.cert_count = certs_.size();
    tls.ca_certs = view(c.ca_certs);
    tls.cert_reqs = cert_reqs(c.cert_reqs);
    tls.ciphers = view(c.ciphers);
    tls.min_version = min_version(c.ssl_version);
    tls.handshake_on_connect = c.do_handshake_on_connect ? 1 : 0;
    tls.ticket_secret = ticket_secret().data();
    tls.ticket_secret_len = ticket_secret().size();
    tls.ticket_rotate_s = static_cast<uint32_t>(std::max<int64_t>(1, c.tls_ticket_rotation.count() / 1000));
}

void TlsPlan::check(const char* worker_name, uint32_t worker_flags) const {
    if (!any_) return;
    if (!(worker_flags & HORNET_WORKER_TLS))
        throw ConfigError(std::string("worker_class ") + worker_name +
                          ": this worker type does not serve TLS; use sync, gthread or async, or bind http://");
    try {
        sdk::TlsContext::build(tls);
    } catch (const sdk::TlsError& e) {
        throw ConfigError(std::string("tls: ") + e.what());
    }
}

std::string listening_url(const std::string& url, bool tls) {
    if (tls && url.starts_with("http://")) return "https://" + url.substr(7);
    return url;
}

} // namespace hornet
