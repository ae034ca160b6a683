// What the access-log formats derive from a record: the Basic-auth user
// (Gunicorn's %(u)s) and the connection's TLS.
#include "log/access_record.hpp"

namespace hornet::access_record {
namespace {

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

} // namespace

std::string basic_auth_user(const hornet_access_record_t& rec) {
    const hornet_str_t* header = request_header(rec, "authorization");
    if (!header) return {};
    const std::string_view auth = support::view(*header);
    if (auth.size() < 6 || !support::iequals(auth.substr(0, 6), "basic ")) return {};
    std::string out;
    unsigned bits = 0, acc = 0;
    for (char c : auth.substr(6)) {
        const int v = base64_value(c);
        if (v < 0) continue; // padding, spaces
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits < 8) continue;
        bits -= 8;
        const char byte = static_cast<char>((acc >> bits) & 0xff);
        if (byte == ':') return out;
        out += byte;
    }
    return out;
}

std::optional<TlsFact> tls_fact_named(std::string_view name) {
    for (size_t i = 0; i < kTlsFactNames.size(); ++i)
        if (support::iequals(name, kTlsFactNames[i])) return static_cast<TlsFact>(i);
    return std::nullopt;
}

std::string_view tls_fact(const hornet_access_record_t& rec, TlsFact fact) {
    const hornet_request_t* req = rec.request;
    if (!req || !HORNET_HAS(req, hornet_request_t, tls_client_cert) || req->tls_protocol.len == 0) return {};
    switch (fact) {
    case TlsFact::https: return "on";
    case TlsFact::protocol: return support::view(req->tls_protocol);
    case TlsFact::cipher: return support::view(req->tls_cipher);
    case TlsFact::client_s_dn: return support::view(req->tls_client_subject);
    case TlsFact::client_verify: return req->tls_client_subject.len != 0 ? "SUCCESS" : "NONE";
    }
    return {};
}

} // namespace hornet::access_record
