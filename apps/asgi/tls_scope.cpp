// The ASGI TLS extension; see tls_scope.hpp.
#include "tls_scope.hpp"

#include <openssl/ssl.h>

#include <string>
#include <string_view>
#include <unordered_map>

namespace hornet::asgi {
namespace {

using python::PyRef;

// Every suite this OpenSSL knows, TLS 1.3 ones included, by its OpenSSL and
// its standard name: the request view carries the name, ASGI wants the id.
std::unordered_map<std::string, int> cipher_ids() {
    std::unordered_map<std::string, int> ids;
    SSL_CTX* ctx = SSL_CTX_new(TLS_method());
    if (!ctx) return ids;
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL");
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                                  "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256");
    if (SSL* ssl = SSL_new(ctx)) {
        STACK_OF(SSL_CIPHER)* list = SSL_get_ciphers(ssl);
        for (int i = 0; list && i < sk_SSL_CIPHER_num(list); ++i) {
            const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
            const int id = SSL_CIPHER_get_protocol_id(c);
            ids.emplace(SSL_CIPHER_get_name(c), id);
            if (const char* standard = SSL_CIPHER_standard_name(c)) ids.emplace(standard, id);
        }
        SSL_free(ssl);
    }
    SSL_CTX_free(ctx);
    return ids;
}

PyObject* cipher_suite(hornet_str_t name) {
    static const std::unordered_map<std::string, int> ids = cipher_ids(); // once, on the asyncio thread
    const auto it = ids.find(std::string(name.ptr, name.len));
    return it == ids.end() ? Py_NewRef(Py_None) : PyLong_FromLong(it->second);
}

// SSL_get_version()'s names.
PyObject* tls_version(hornet_str_t protocol) {
    const std::string_view v(protocol.ptr, protocol.len);
    long code = 0;
    if (v == "TLSv1.3") code = 0x0304;
    else if (v == "TLSv1.2") code = 0x0303;
    else if (v == "TLSv1.1") code = 0x0302;
    else if (v == "TLSv1") code = 0x0301;
    return code ? PyLong_FromLong(code) : Py_NewRef(Py_None);
}

PyObject* text_or_none(hornet_str_t s) {
    return s.len ? PyUnicode_DecodeLatin1(s.ptr, static_cast<Py_ssize_t>(s.len), nullptr) : Py_NewRef(Py_None);
}

PyObject* cert_chain(hornet_str_t pem) {
    if (!pem.len) return PyList_New(0);
    PyObject* text = text_or_none(pem);
    return text ? Py_BuildValue("[N]", text) : nullptr;
}

} // namespace

bool tls_extension(const hornet_request_t& r, PyRef& out) {
    if (!HORNET_HAS(&r, hornet_request_t, tls_client_cert) || r.tls_protocol.len == 0) return false;
    out = PyRef::steal(Py_BuildValue("{s:O,s:N,s:N,s:O,s:N,s:N}", "server_cert", Py_None, "client_cert_chain",
                                     cert_chain(r.tls_client_cert), "client_cert_name",
                                     text_or_none(r.tls_client_subject), "client_cert_error", Py_None,
                                     "tls_version", tls_version(r.tls_protocol), "cipher_suite",
                                     cipher_suite(r.tls_cipher)));
    return true;
}

} // namespace hornet::asgi
