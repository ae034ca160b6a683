// What both access-log formats (Gunicorn's atoms, JSON fields) read from a
// hornet_access_record_t: headers by name, the Basic-auth user, the protocol,
// the connection's TLS. Any thread; no allocation but basic_auth_user's result.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <hornet/worker.h>

#include "hornet/support/text.hpp"

namespace hornet::access_record {

// The first header of that name (ASCII case-blind), or nullptr.
inline const hornet_str_t* find(const hornet_header_t* headers, size_t count, std::string_view name) {
    for (size_t i = 0; i < count; ++i)
        if (support::iequals(support::view(headers[i].name), name)) return &headers[i].value;
    return nullptr;
}

inline const hornet_str_t* request_header(const hornet_access_record_t& rec, std::string_view name) {
    return rec.request ? find(rec.request->headers, rec.request->header_count, name) : nullptr;
}

inline const hornet_str_t* response_header(const hornet_access_record_t& rec, std::string_view name) {
    return find(rec.response_headers, rec.response_header_count, name);
}

// The user of "Authorization: Basic base64(user:password)", as Gunicorn's
// %(u)s; "" when there is none.
std::string basic_auth_user(const hornet_access_record_t& rec);

// The connection's TLS, under nginx's variable names (mod_ssl's, lower-cased,
// as the wsgi environ has them): https "on", ssl_protocol "TLSv1.3",
// ssl_cipher, ssl_client_s_dn (RFC 2253, of a verified client certificate),
// ssl_client_verify "SUCCESS" or "NONE". All "" on a plain connection, for a
// head that did not parse, and from a worker type older than ABI 1.5.
enum class TlsFact : std::uint8_t { https, protocol, cipher, client_s_dn, client_verify };
inline constexpr std::array<std::string_view, 5> kTlsFactNames = {"https", "ssl_protocol", "ssl_cipher",
                                                                  "ssl_client_s_dn", "ssl_client_verify"};
// ASCII case-blind, as Gunicorn's %({NAME}e)s.
std::optional<TlsFact> tls_fact_named(std::string_view name);
std::string_view tls_fact(const hornet_access_record_t& rec, TlsFact fact);

inline std::string_view protocol(int version) { return version == 10 ? "HTTP/1.0" : "HTTP/1.1"; }

} // namespace hornet::access_record
