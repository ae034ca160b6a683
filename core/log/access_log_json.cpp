// The JSON access log: a field list compiled once, one object per request.
#include "log/access_log_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <unistd.h>

#include "config/suggest.hpp"
#include "log/access_record.hpp"
#include "log/json_text.hpp"

namespace hornet {
namespace {

using support::view;

constexpr std::string_view kRequestHeader = "header.";
constexpr std::string_view kResponseHeader = "response_header.";

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_token(std::string_view name) {
    constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    if (name.empty()) return false;
    for (char c : name) {
        const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && kExtra.find(c) == std::string_view::npos) return false;
    }
    return true;
}

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = support::ascii_lower(c);
    return out;
}

template <class Int>
void append_int(std::string& line, Int v) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    line.append(buf, static_cast<size_t>(end - buf));
}

void append_string_or_null(std::string& line, std::string_view v) {
    if (v.empty()) line += "null";
    else append_json_string(line, v);
}

void append_string_or_null(std::string& line, const hornet_str_t* v) {
    append_string_or_null(line, v ? view(*v) : std::string_view());
}

// Every field, in the order of JsonAccessLogFormat::Field; the last two
// stand for header.NAME and response_header.NAME.
constexpr std::array<std::string_view, 24> kFieldNames = {
    "time",        "remote_addr", "user",        "request",    "method",       "path",    "query",
    "protocol",    "status",      "bytes",       "pid",        "duration_us",  "duration_ms",
    "duration_s",  "request_time", "referer",    "user_agent", "https",        "ssl_protocol",
    "ssl_cipher",  "ssl_client_s_dn", "ssl_client_verify", "header.NAME", "response_header.NAME"};
constexpr size_t kNamedFields = kFieldNames.size() - 2;

// "unknown JSON field 'x'; did you mean 'y'? (fields: ...)"
std::string unknown_field(std::string_view name) {
    const size_t dot = name.find('.');
    std::string hint;
    if (dot == std::string_view::npos) {
        hint = did_you_mean(name, kFieldNames);
    } else { // headers.x-id: suggest the whole field, not only its prefix
        constexpr std::array<std::string_view, 2> kPrefixes = {"header", "response_header"};
        hint = did_you_mean(name.substr(0, dot), kPrefixes);
        if (!hint.empty()) hint.insert(hint.size() - 2, name.substr(dot));
    }
    std::string known;
    for (std::string_view n : kFieldNames) known.append(known.empty() ? "" : " ").append(n);
    return "unknown JSON field '" + std::string(name) + "'" + hint + " (fields: " + known + ")";
}

} // namespace

bool JsonAccessLogFormat::selects(std::string_view format) {
    return support::iequals(format, "json") || (format.size() >= 5 && support::iequals(format.substr(0, 5), "json:"));
}

JsonAccessLogFormat::JsonAccessLogFormat(std::string_view format) {
    std::string_view list = format.size() > 4 ? format.substr(5) : kDefaultJsonFields;
    if (list.find_first_not_of(" \t,") == std::string_view::npos)
        throw std::invalid_argument("'" + std::string(format) +
                                    "' lists no field; write json for the default ones, or json:status,path,...");
    while (!list.empty()) { // empty pieces are skipped, as in every hornet list
        const size_t comma = list.find(',');
        if (const auto field = trimmed(list.substr(0, comma)); !field.empty()) add_field(field);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
}

void JsonAccessLogFormat::add_field(std::string_view name) {
    Entry entry{Field::time, {}, std::string(name), {}};
    const bool request = name.starts_with(kRequestHeader), response = name.starts_with(kResponseHeader);
    if (request || response) {
        const std::string_view prefix = request ? kRequestHeader : kResponseHeader;
        const std::string_view header = name.substr(prefix.size());
        if (!is_token(header))
            throw std::invalid_argument("'" + entry.key + "' needs a header name after the dot, such as " +
                                        std::string(prefix) + "x-request-id");
        entry.field = request ? Field::request_header : Field::response_header;
        entry.header = lowered(header);
        entry.key = std::string(prefix) + entry.header;
    } else {
        const auto* row = std::find(kFieldNames.begin(), kFieldNames.begin() + kNamedFields, name);
        if (row == kFieldNames.begin() + kNamedFields) throw std::invalid_argument(unknown_field(name));
        entry.field = static_cast<Field>(row - kFieldNames.begin());
    }
    for (const Entry& e : entries_)
        if (e.key == entry.key) throw std::invalid_argument("JSON field '" + entry.key + "' is listed twice");
    if (!entries_.empty()) entry.prefix += ',';
    append_json_string(entry.prefix, entry.key);
    entry.prefix += ':';
    entries_.push_back(std::move(entry));
}

void JsonAccessLogFormat::append(std::string& line, const hornet_access_record_t& rec) const {
    line += '{';
    for (const Entry& entry : entries_) {
        line += entry.prefix;
        append_value(line, entry, rec);
    }
    line += '}';
}

void JsonAccessLogFormat::append_value(std::string& line, const Entry& entry, const hornet_access_record_t& rec) const {
    const hornet_request_t* req = rec.request;
    const long long us = rec.duration_us < 0 ? 0 : rec.duration_us;
    switch (entry.field) {
    case Field::time: return append_json_time(line, rec.start_unix_us);
    case Field::remote_addr: return append_string_or_null(line, view(rec.peer_host));
    case Field::user: return append_string_or_null(line, access_record::basic_auth_user(rec));
    case Field::request: return append_string_or_null(line, view(rec.request_line));
    case Field::method: return append_string_or_null(line, req ? view(req->method) : "");
    case Field::path: return append_string_or_null(line, req ? view(req->path) : "");
    case Field::query: return req ? append_json_string(line, view(req->query)) : void(line += "null");
    case Field::protocol: return req ? append_json_string(line, access_record::protocol(req->version))
                                     : void(line += "null");
    case Field::status: return append_int(line, rec.status);
    case Field::bytes: return append_int(line, rec.body_bytes);
    case Field::pid: return append_int(line, ::getpid());
    case Field::duration_us: return append_int(line, us);
    case Field::duration_ms: return append_int(line, us / 1000);
    case Field::duration_s: return append_int(line, us / 1000000);
    case Field::request_time: {
        char num[32];
        const int n = std::snprintf(num, sizeof num, "%lld.%06lld", us / 1000000, us % 1000000);
        line.append(num, static_cast<size_t>(n));
        return;
    }
    case Field::referer: return append_string_or_null(line, access_record::request_header(rec, "referer"));
    case Field::user_agent: return append_string_or_null(line, access_record::request_header(rec, "user-agent"));
    case Field::https:
    case Field::ssl_protocol:
    case Field::ssl_cipher:
    case Field::ssl_client_s_dn:
    case Field::ssl_client_verify: {
        const auto fact = static_cast<access_record::TlsFact>(static_cast<int>(entry.field) - static_cast<int>(Field::https));
        return append_string_or_null(line, access_record::tls_fact(rec, fact));
    }
    case Field::request_header:
        return append_string_or_null(line, access_record::request_header(rec, entry.header));
    case Field::response_header:
        return append_string_or_null(line, access_record::response_header(rec, entry.header));
    }
}

} // namespace hornet
