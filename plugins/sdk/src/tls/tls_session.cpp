// A TLS connection over two memory BIOs; see tls_session.hpp.
#include "hornet/sdk/tls/tls_session.hpp"

#include <algorithm>
#include <climits>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "hornet/sdk/tls/tls_context.hpp"
#include "printed.hpp"

namespace hornet::sdk {
namespace {

std::string subject_of(X509* cert) {
    return tls::printed([cert](BIO* b) { X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253); });
}

std::string pem_of(X509* cert) {
    return tls::printed([cert](BIO* b) { PEM_write_bio_X509(b, cert); });
}

} // namespace

TlsSession::TlsSession(std::shared_ptr<const TlsContext> ctx) : ctx_(std::move(ctx)) {
    ssl_ = SSL_new(ctx_->default_ctx());
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    if (!ssl_ || !in_ || !out_) {
        BIO_free(in_);
        BIO_free(out_);
        SSL_free(ssl_);
        throw TlsError("TLS session: " + tls_error_text());
    }
    BIO_set_mem_eof_return(in_, -1); // empty means "more later", not EOF
    BIO_set_mem_eof_return(out_, -1);
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

void TlsSession::feed(const char* data, size_t len) {
    starved_ = false;
    while (len != 0) {
        const int n = BIO_write(in_, data, static_cast<int>(std::min<size_t>(len, INT_MAX)));
        if (n <= 0) return;
        data += n;
        len -= static_cast<size_t>(n);
    }
}

TlsSession::Step TlsSession::read(std::span<char> out) {
    size_t n = 0;
    const int rc = SSL_read_ex(ssl_, out.data(), out.size(), &n);
    if (rc == 1) return {n, Status::ok};
    switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: starved_ = true; return {0, Status::want_input};
    case SSL_ERROR_ZERO_RETURN: return {0, Status::closed};
    default: return fail();
    }
}

TlsSession::Step TlsSession::write(const void* data, size_t len) {
    size_t done = 0;
    while (done < len) {
        size_t n = 0;
        if (SSL_write_ex(ssl_, static_cast<const char*>(data) + done, len - done, &n) != 1) return fail();
        done += n;
    }
    return {done, Status::ok};
}

void TlsSession::close_notify() {
    if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
    ERR_clear_error();
}

TlsSession::Step TlsSession::fail() {
    if (error_.empty()) error_ = tls_error_text();
    ERR_clear_error();
    return {0, Status::failed};
}

std::span<const char> TlsSession::output() const {
    char* p = nullptr;
    const long n = BIO_get_mem_data(out_, &p);
    return {p, static_cast<size_t>(std::max<long>(n, 0))};
}

// All sent: reset (free for a memory BIO). Part: read the sent bytes off.
void TlsSession::consume_output(size_t n) {
    if (n >= output().size()) {
        (void)BIO_reset(out_);
        return;
    }
    char sink[4096];
    while (n != 0) {
        const int got = BIO_read(out_, sink, static_cast<int>(std::min(n, sizeof sink)));
        if (got <= 0) return;
        n -= static_cast<size_t>(got);
    }
}

bool TlsSession::peer_closed() {
    if ((SSL_get_shutdown(ssl_) & SSL_RECEIVED_SHUTDOWN) != 0) return true;
    if (!SSL_is_init_finished(ssl_)) return false;
    char byte = 0;
    size_t n = 0;
    const int rc = SSL_peek_ex(ssl_, &byte, 1, &n);
    if (rc == 1) return false;
    switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: starved_ = true; return false;
    case SSL_ERROR_ZERO_RETURN: return true;
    default: fail(); return true;
    }
}

size_t TlsSession::input_pending() const { return BIO_ctrl_pending(in_); }

bool TlsSession::has_output() const { return BIO_ctrl_pending(out_) != 0; }

bool TlsSession::buffered() const { return SSL_pending(ssl_) > 0 || (!starved_ && BIO_ctrl_pending(in_) != 0); }

bool TlsSession::handshake_done() const { return SSL_is_init_finished(ssl_); }

const TlsPeerInfo& TlsSession::peer() {
    if (peer_) return *peer_;
    peer_ = std::make_unique<TlsPeerInfo>();
    peer_->protocol = SSL_get_version(ssl_);
    if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl_)) peer_->cipher = SSL_CIPHER_get_name(c);
    if (X509* cert = SSL_get1_peer_certificate(ssl_)) {
        if (SSL_get_verify_result(ssl_) == X509_V_OK) {
            peer_->client_subject = subject_of(cert);
            peer_->client_cert = pem_of(cert);
        }
        X509_free(cert);
    }
    return *peer_;
}

} // namespace hornet::sdk
