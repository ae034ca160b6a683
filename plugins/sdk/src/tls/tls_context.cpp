// Loading a hornet_tls_t into OpenSSL: certificates (checked: readable,
// the key matching, within their validity), SNI, ALPN, client
// certificates, session tickets. See tls_context.hpp.
#include "hornet/sdk/tls/tls_context.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "printed.hpp"
#include "ticket_keys.hpp"

namespace hornet::sdk {
namespace {

// Mozilla's "intermediate" list for TLS 1.2 (TLS 1.3 suites are OpenSSL's
// defaults): forward secrecy and AEAD only.
constexpr const char* kDefaultCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr unsigned char kSessionContext[] = "hornet";

std::string str(hornet_str_t s) { return s.ptr ? std::string(s.ptr, s.len) : std::string(); }

struct CtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;

[[noreturn]] void fail(const std::string& what) { throw TlsError(what + ": " + tls_error_text()); }

// A missing or unreadable file says so in the system's words, not OpenSSL's.
void check_readable(const char* setting, const std::string& file) {
    if (::access(file.c_str(), R_OK) == 0) return;
    throw TlsError(std::string(setting) + " " + file + ": " + std::strerror(errno));
}

std::string asn1_time_text(const ASN1_TIME* t) {
    return tls::printed([t](BIO* b) { ASN1_TIME_print(b, t); });
}

// Within its validity now? Else the line names the file and the date.
void check_validity(SSL_CTX* ctx, const std::string& file) {
    X509* cert = SSL_CTX_get0_certificate(ctx);
    if (!cert) throw TlsError("certfile " + file + ": no certificate in the file");
    if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
        throw TlsError("certfile " + file + ": the certificate expired on " + asn1_time_text(X509_get0_notAfter(cert)) +
                       "; renew it");
    if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
        throw TlsError("certfile " + file + ": the certificate is not valid before " +
                       asn1_time_text(X509_get0_notBefore(cert)));
}

// ALPN: http/1.1 when the client offers it; otherwise no ALPN at all (a
// client that offers only h2 may still speak HTTP/1.1 without it).
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen,
                void*) {
    static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, outlen, kHttp11, sizeof kHttp11, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

} // namespace

std::string tls_error_text() {
    std::string out;
    for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        std::string_view reason = ERR_reason_error_string(e) ? ERR_reason_error_string(e) : buf;
        if (!out.empty()) out += "; ";
        out += reason;
    }
    return out.empty() ? "unknown OpenSSL error" : out;
}

struct TlsContext::Impl {
    struct Named {
        std::string server_name; // lowercase; "*.x" matches one label
        CtxPtr ctx;
    };
    std::vector<Named> certs; // [0] the default
    std::optional<tls::TicketKeys> keys;
    std::mutex keys_mu;
    uint64_t cached_period = UINT64_MAX;
    tls::TicketKey cached_current, cached_previous;

    SSL_CTX* for_name(std::string_view name) const;
    bool ticket_keys(uint64_t& period, tls::TicketKey& current, tls::TicketKey& previous);
};

namespace {

bool name_matches(std::string_view pattern, std::string_view name) {
    if (pattern.size() > 2 && pattern.starts_with("*.")) {
        const size_t dot = name.find('.');
        return dot != std::string_view::npos && dot != 0 && name.substr(dot) == pattern.substr(1);
    }
    return pattern == name;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// SNI: switch the connection to the certificate whose server_name matches;
// an unknown name keeps the default (as nginx does).
int on_server_name(SSL* ssl, int*, void* arg) {
    const auto* impl = static_cast<const TlsContext::Impl*>(arg);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!name) return SSL_TLSEXT_ERR_NOACK;
    if (SSL_CTX* ctx = impl->for_name(lower(name)); ctx && ctx != SSL_get_SSL_CTX(ssl)) SSL_set_SSL_CTX(ssl, ctx);
    return SSL_TLSEXT_ERR_OK;
}

int ticket_cb(SSL* ssl, unsigned char name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
              int enc) {
    auto* impl = static_cast<TlsContext::Impl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    uint64_t period = 0;
    tls::TicketKey current, previous;
    if (!impl || !impl->ticket_keys(period, current, previous)) return enc ? -1 : 0;
    const tls::TicketKey* key = &current;
    int rc = 1;
    if (enc) {
        std::memcpy(name, current.name.data(), 16);
        if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) <= 0) return -1;
    } else if (std::memcmp(name, current.name.data(), 16) != 0) {
        if (std::memcmp(name, previous.name.data(), 16) != 0) return 0; // unknown: a full handshake
        key = &previous;
        rc = 2; // good, but renew the ticket with the current key
    }
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string("key", const_cast<unsigned char*>(key->hmac.data()), 32),
                           OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>("SHA256"), 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(mac, params) <= 0) return -1;
    const int ok = enc ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv)
                       : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv);
    return ok > 0 ? rc : -1;
}

int verify_mode(int cert_reqs) {
    if (cert_reqs == HORNET_TLS_CERT_REQUIRED) return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    if (cert_reqs == HORNET_TLS_CERT_OPTIONAL) return SSL_VERIFY_PEER;
    return SSL_VERIFY_NONE;
}

void load_client_cas(SSL_CTX* ctx, const hornet_tls_t& s) {
    const std::string ca = str(s.ca_certs);
    if (ca.empty()) {
        if (s.cert_reqs != HORNET_TLS_CERT_NONE)
            throw TlsError("cert_reqs: verifying client certificates needs ca_certs (a PEM file of the CAs)");
        return;
    }
    check_readable("ca_certs", ca);
    if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) fail("ca_certs " + ca + ": no PEM certificate");
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str())) SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, verify_mode(s.cert_reqs), nullptr);
}

CtxPtr make_ctx(const hornet_tls_t& s, const hornet_tls_cert_t& cert, TlsContext::Impl* impl) {
    CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) fail("TLS");
    SSL_CTX_set_min_proto_version(ctx.get(), s.min_version ? s.min_version : TLS1_2_VERSION);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const std::string ciphers = s.ciphers.len ? str(s.ciphers) : kDefaultCiphers;
    if (SSL_CTX_set_cipher_list(ctx.get(), ciphers.c_str()) != 1) fail("ciphers '" + ciphers + "'");
    const std::string certfile = str(cert.certfile), keyfile = cert.keyfile.len ? str(cert.keyfile) : certfile;
    check_readable("certfile", certfile);
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), certfile.c_str()) != 1)
        fail("certfile " + certfile + ": not a PEM certificate");
    check_validity(ctx.get(), certfile);
    check_readable("keyfile", keyfile);
    const bool loaded = SSL_CTX_use_PrivateKey_file(ctx.get(), keyfile.c_str(), SSL_FILETYPE_PEM) == 1;
    if (!loaded && ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH)
        fail("keyfile " + keyfile + ": not a PEM private key");
    if (!loaded || SSL_CTX_check_private_key(ctx.get()) != 1) {
        ERR_clear_error();
        throw TlsError("keyfile " + keyfile + ": the key does not match certfile " + certfile);
    }
    load_client_cas(ctx.get(), s);
    SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof kSessionContext - 1);
    // Tickets only: a session cache would be one worker's, and the client
    // may land on another next time.
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    if (s.ticket_secret_len != 0) SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx.get(), ticket_cb);
    else SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn, nullptr);
    SSL_CTX_set_tlsext_servername_callback(ctx.get(), on_server_name);
    SSL_CTX_set_tlsext_servername_arg(ctx.get(), impl);
    SSL_CTX_set_app_data(ctx.get(), impl);
    return ctx;
}

} // namespace

SSL_CTX* TlsContext::Impl::for_name(std::string_view name) const {
    for (const Named& n : certs)
        if (!n.server_name.empty() && name_matches(n.server_name, name)) return n.ctx.get();
    return nullptr;
}

bool TlsContext::Impl::ticket_keys(uint64_t& period, tls::TicketKey& current, tls::TicketKey& previous) {
    if (!keys) return false;
    std::lock_guard lock(keys_mu);
    period = keys->current_period();
    if (period != cached_period) {
        cached_current = keys->key_of(period);
        cached_previous = keys->key_of(period - 1);
        cached_period = period;
    }
    current = cached_current;
    previous = cached_previous;
    return true;
}

std::shared_ptr<TlsContext> TlsContext::build(const hornet_tls_t& s) {
    if (s.cert_count == 0 || !s.certs || s.certs[0].certfile.len == 0)
        throw TlsError("certfile: TLS needs a certificate (certfile and keyfile)");
    ERR_clear_error();
    auto impl = std::make_unique<Impl>();
    if (s.ticket_secret_len != 0) impl->keys.emplace(std::span(s.ticket_secret, s.ticket_secret_len), s.ticket_rotate_s);
    for (size_t i = 0; i < s.cert_count; ++i)
        impl->certs.push_back({lower(str(s.certs[i].server_name)), make_ctx(s, s.certs[i], impl.get())});
    return std::shared_ptr<TlsContext>(new TlsContext(std::move(impl)));
}

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContext::~TlsContext() = default;

SSL_CTX* TlsContext::default_ctx() const { return impl_->certs.front().ctx.get(); }

} // namespace hornet::sdk
