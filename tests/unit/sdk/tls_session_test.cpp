// TlsSession and TlsContext against an OpenSSL client, both over memory:
// the handshake, data both ways, ALPN, the one-line errors of bad files,
// and tickets that one context issues and another (a second worker with
// the same secret) resumes, while a context with another secret does not.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hornet/sdk/tls/tls_context.hpp"
#include "hornet/sdk/tls/tls_session.hpp"

namespace {

namespace fs = std::filesystem;
using hornet::sdk::TlsContext;
using hornet::sdk::TlsError;
using hornet::sdk::TlsSession;

// A self-signed P-256 certificate valid from `from_days` to `to_days` from now.
struct Pair {
    std::string cert, key;
};

Pair make_pair(const fs::path& dir, const std::string& name, long from_days = -1, long to_days = 2) {
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
    X509_set_pubkey(x, pkey);
    X509_NAME* subject = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1,
                               -1, 0);
    X509_set_issuer_name(x, subject);
    X509_sign(x, pkey, EVP_sha256());
    Pair p{(dir / (name + ".pem")).string(), (dir / (name + ".key")).string()};
    FILE* f = std::fopen(p.cert.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(p.key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
    return p;
}

class Tls : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("hornet-tls-unit-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        good_ = make_pair(dir_, "good");
    }
    void TearDown() override { fs::remove_all(dir_); }

    hornet_tls_t settings(const Pair& p, const unsigned char* secret = kSecret) {
        cert_ = {{"", 0}, {p.cert.data(), p.cert.size()}, {p.key.data(), p.key.size()}};
        hornet_tls_t t{};
        t.head = HORNET_HEAD_INIT(hornet_tls_t);
        t.certs = &cert_;
        t.cert_count = 1;
        t.min_version = 0x0303;
        t.ticket_secret = secret;
        t.ticket_secret_len = 32;
        t.ticket_rotate_s = 3600;
        return t;
    }

    static constexpr unsigned char kSecret[32] = {1, 2, 3};
    static constexpr unsigned char kOtherSecret[32] = {9, 9, 9};
    fs::path dir_;
    Pair good_;
    hornet_tls_cert_t cert_{};
};

// An OpenSSL client over memory BIOs, pumped against a server session.
struct Client {
    explicit Client(SSL_SESSION* resume = nullptr, int max_version = TLS1_3_VERSION) {
        ctx = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_max_proto_version(ctx, max_version);
        ssl = SSL_new(ctx);
        in = BIO_new(BIO_s_mem());
        out = BIO_new(BIO_s_mem());
        SSL_set_bio(ssl, in, out);
        SSL_set_connect_state(ssl);
        static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        SSL_set_alpn_protos(ssl, alpn, sizeof alpn);
        if (resume) SSL_set_session(ssl, resume);
    }
    ~Client() {
        SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN); // a clean end: its session stays resumable
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }
    // Moves bytes both ways until neither side has more; returns what the
    // server read as plaintext.
    std::string pump(TlsSession& server, const std::string& send = "") {
        std::string got, pending = send;
        for (int round = 0; round < 20; ++round) {
            SSL_do_handshake(ssl);
            if (!pending.empty() && SSL_is_init_finished(ssl)) {
                SSL_write(ssl, pending.data(), static_cast<int>(pending.size()));
                pending.clear();
            }
            char buf[16384];
            for (int n; (n = BIO_read(out, buf, sizeof buf)) > 0;) server.feed(buf, static_cast<size_t>(n));
            for (;;) {
                const TlsSession::Step s = server.read({buf, sizeof buf});
                if (s.status != TlsSession::Status::ok) break;
                got.append(buf, s.bytes);
            }
            const auto o = server.output();
            if (o.empty() && pending.empty() && SSL_is_init_finished(ssl) && round > 2) break;
            BIO_write(in, o.data(), static_cast<int>(o.size()));
            server.consume_output(o.size());
            char sink[256];
            while (SSL_read(ssl, sink, sizeof sink) > 0) received.append(sink);
        }
        return got;
    }
    SSL_CTX* ctx;
    SSL* ssl;
    BIO* in;
    BIO* out;
    std::string received;
};

TEST_F(Tls, HandshakeDataAndAlpn) {
    auto ctx = TlsContext::build(settings(good_));
    TlsSession server(ctx);
    Client client;
    EXPECT_EQ(client.pump(server, "GET / HTTP/1.1\r\n\r\n"), "GET / HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(server.handshake_done());
    const unsigned char* proto = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(client.ssl, &proto, &len);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(proto), len), "http/1.1");
    EXPECT_EQ(server.peer().protocol, "TLSv1.3");
    EXPECT_TRUE(server.peer().client_subject.empty());

    ASSERT_EQ(server.write("HTTP/1.1 200 OK\r\n\r\n", 19).status, TlsSession::Status::ok);
    client.pump(server);
    EXPECT_EQ(client.received.substr(0, 19), "HTTP/1.1 200 OK\r\n\r\n");
}

// Two workers build their contexts from the same secret: a ticket from one
// resumes on the other. Another secret (another server) means a full handshake.
TEST_F(Tls, TicketsResumeAcrossContextsWithTheSameSecret) {
    auto first = TlsContext::build(settings(good_));
    SSL_SESSION* ticket = nullptr;
    {
        TlsSession server(first);
        Client client(nullptr, TLS1_2_VERSION);
        client.pump(server, "x");
        ticket = SSL_get1_session(client.ssl);
    }
    ASSERT_NE(ticket, nullptr);
    ASSERT_TRUE(SSL_SESSION_has_ticket(ticket));
    ASSERT_TRUE(SSL_SESSION_is_resumable(ticket));
    auto second = TlsContext::build(settings(good_)); // another worker, same secret
    {
        TlsSession server(second);
        Client client(ticket, TLS1_2_VERSION);
        client.pump(server, "x");
        EXPECT_TRUE(SSL_session_reused(client.ssl));
    }
    auto stranger = TlsContext::build(settings(good_, kOtherSecret));
    {
        TlsSession server(stranger);
        Client client(ticket, TLS1_2_VERSION);
        client.pump(server, "x");
        EXPECT_FALSE(SSL_session_reused(client.ssl));
    }
    SSL_SESSION_free(ticket);
}

TEST_F(Tls, BadFilesAreOneLineNamingTheFile) {
    const Pair other = make_pair(dir_, "other");
    const Pair expired = make_pair(dir_, "expired", -10, -5);
    auto message = [&](Pair p) {
        try {
            TlsContext::build(settings(p));
        } catch (const TlsError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message({good_.cert, other.key}), "keyfile " + other.key + ": the key does not match certfile " + good_.cert);
    EXPECT_EQ(message({dir_ / "missing.pem", good_.key}).find("certfile " + (dir_ / "missing.pem").string() +
                                                               ": No such file"),
              0u);
    EXPECT_NE(message(expired).find("the certificate expired on"), std::string::npos);
    EXPECT_EQ(message(expired).find('\n'), std::string::npos);
}

TEST_F(Tls, GarbageFromTheClientFails) {
    auto ctx = TlsContext::build(settings(good_));
    TlsSession server(ctx);
    const std::string junk = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    server.feed(junk.data(), junk.size());
    char buf[256];
    EXPECT_EQ(server.read({buf, sizeof buf}).status, TlsSession::Status::failed);
    EXPECT_FALSE(server.error().empty());
}

} // namespace
