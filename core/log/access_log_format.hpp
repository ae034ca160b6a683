// Gunicorn's access_log_format, compiled once (at config load, in the
// arbiter) into a list of pieces, so writing a line is a walk over that list.
//
// Atoms (Gunicorn's; `%(x)s`, and `%%` for a '%'):
//   h remote address   l '-'            u user (HTTP Basic auth), else '-'
//   t [27/Nov/2026:10:00:00 +0000]      r request line    m method
//   U path             q query          H protocol (HTTP/1.1)
//   s status           B body bytes     b body bytes (both always known here)
//   f Referer          a User-Agent     p <pid>
//   T seconds          M milliseconds   D microseconds    L seconds, decimal
//   {name}i a request header    {name}o a response header
//   {name}e the connection's TLS, by its mod_ssl/nginx name, as Gunicorn's
//           environ atoms: {https}e {ssl_protocol}e {ssl_cipher}e
//           {ssl_client_s_dn}e {ssl_client_verify}e ('-' on plain HTTP)
// An absent value is '-' (q: empty, as Gunicorn; U and q as sent, not
// percent-decoded; m, U, q, H are '-' for a head that did not parse). Text from the client is escaped as Apache does
// (\" \\ and \xNN for control bytes), so a line stays one line and its
// quoted fields stay quoted. An unknown atom is an error at config load.
//
// "json" or "json:FIELD,..." instead asks for one JSON object per request
// (access_log_json.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hornet/worker.h>

#include "log/access_log_json.hpp"
#include "log/access_record.hpp"

namespace hornet {

// Gunicorn's default.
inline constexpr std::string_view kDefaultAccessLogFormat =
    R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")";

class AccessLogFormat {
public:
    // Throws std::invalid_argument with one line naming the bad atom (field).
    explicit AccessLogFormat(std::string_view format = kDefaultAccessLogFormat);

    // Appends the formatted record (no newline). Any thread.
    void append(std::string& line, const hornet_access_record_t& record) const;

private:
    enum class Atom : std::uint8_t {
        text, remote, dash, user, time, request_line, method, path, query, protocol, status,
        bytes, bytes_clf, referer, user_agent, pid, seconds, millis, micros, decimal_seconds,
        request_header, response_header, tls
    };
    struct Piece {
        Atom atom;
        std::string text; // literal text, or the header name
        access_record::TlsFact tls{}; // for Atom::tls
    };

    void add_atom(std::string_view name);
    void add_tls_atom(std::string_view name);
    void append_piece(std::string& line, const Piece& piece, const hornet_access_record_t& record) const;

    std::vector<Piece> pieces_;
    std::optional<JsonAccessLogFormat> json_; // set for "json...": pieces_ is then empty
};

} // namespace hornet
