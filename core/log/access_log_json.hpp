// access_log_format: json — the access log as one JSON object per request,
// for log shippers; the same facts as Gunicorn's atoms under stable names.
//
//   json                      the default fields (kDefaultJsonFields)
//   json:status,path,...      these fields, in this order
//
// Fields (atom in brackets; null when absent, where the text log writes '-'):
//   time         "2026-11-27T10:00:00.000000+00:00", local, as [t]
//   remote_addr  [h]          user        Basic-auth user [u]
//   request      request line [r]         method [m]   path [U]   protocol [H]
//   query        [q]: "" when none; null, as method, path and protocol,
//                for a head that did not parse
//   status [s]   bytes [B b]  pid [p]     (integers)
//   duration_us [D]  duration_ms [M]  duration_s [T]  (integers)
//   request_time seconds with 6 decimals, a number [L]
//   referer [f]  user_agent [a]
//   https ssl_protocol ssl_cipher ssl_client_s_dn ssl_client_verify
//                the connection's TLS [{NAME}e]; null on plain HTTP
//   header.NAME           a request header [{NAME}i]
//   response_header.NAME  a response header [{NAME}o]
// Keys are the field names (header names lower-cased). Strings are escaped
// by json_text.hpp, so a hostile header can neither end the line nor add a
// key. A bad field list is an error at config load (std::invalid_argument,
// one line, with a suggestion for a misspelt field).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <hornet/worker.h>

namespace hornet {

inline constexpr std::string_view kDefaultJsonFields =
    "time,remote_addr,user,request,method,path,query,protocol,status,bytes,duration_us,referer,user_agent";

class JsonAccessLogFormat {
public:
    // Does access_log_format ask for JSON ("json", or "json:" and a list)?
    static bool selects(std::string_view format);

    // Throws std::invalid_argument with one line naming the bad field.
    explicit JsonAccessLogFormat(std::string_view format);

    // Appends one object (no newline). Any thread.
    void append(std::string& line, const hornet_access_record_t& record) const;

private:
    enum class Field : std::uint8_t { // in the order of kFieldNames (access_log_json.cpp)
        time, remote_addr, user, request, method, path, query, protocol, status, bytes, pid, duration_us,
        duration_ms, duration_s, request_time, referer, user_agent, https, ssl_protocol, ssl_cipher,
        ssl_client_s_dn, ssl_client_verify, request_header, response_header
    };
    struct Entry {
        Field field;
        std::string prefix; // `"key":`, after a ',' but for the first
        std::string key;    // the field's name (header names lower-cased)
        std::string header; // the header name of header.NAME, response_header.NAME
    };

    void add_field(std::string_view name);
    void append_value(std::string& line, const Entry& entry, const hornet_access_record_t& record) const;

    std::vector<Entry> entries_;
};

} // namespace hornet
