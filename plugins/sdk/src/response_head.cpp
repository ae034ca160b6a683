// Response head: validation, framing choice and serialization. Hand-written
// rather than Beast's serializer: it is a few appends, and keeps Beast out.
#include "hornet/sdk/detail/response_head.hpp"

#include <charconv>
#include <strings.h>

#include "hornet/sdk/detail/http_date.hpp"
#include "hornet/support/http_syntax.hpp"
#include "hornet/support/text.hpp"

namespace hornet::sdk {
namespace {

constexpr std::string_view kClose = "Connection: close\r\n";
constexpr std::string_view kKeepAlive = "Connection: keep-alive\r\n";

using support::iequals;
using support::view;

// The worker's own headers: an app's copy is dropped.
bool is_worker_header(std::string_view name) {
    return iequals(name, "Connection") || iequals(name, "Transfer-Encoding") || iequals(name, "Date") ||
           iequals(name, "Server");
}

// For the log line: printable, short.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
}

} // namespace

std::string_view status_reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

ResponseHead::ResponseHead() {
    buf_.reserve(512);
    offsets_.reserve(16);
    views_.reserve(16);
}

int ResponseHead::build(int status, std::span<const hornet_header_t> headers, const ResponseContext& ctx) {
    buf_.clear();
    views_.clear();
    offsets_.clear();
    error_.clear();
    if (int rc = check(status, headers); rc != HORNET_OK) return rc;
    status_ = status;
    choose_framing(status, ctx);
    write_head(status, headers);
    return HORNET_OK;
}

int ResponseHead::build_upgrade(std::span<const hornet_header_t> headers) {
    buf_.clear();
    views_.clear();
    offsets_.clear();
    error_.clear();
    if (int rc = check_headers(headers); rc != HORNET_OK) return rc;
    status_ = 101;
    has_length_ = false; // no body framing: the stream is the protocol's
    framing_ = Framing::raw;
    keep_alive_ = false;
    version_ = 11;
    write_head(101, headers);
    return HORNET_OK;
}

int ResponseHead::check(int status, std::span<const hornet_header_t> headers) {
    // A 1xx is interim: as the final answer the client would wait for another
    // (a 101 is an upgrade's: build_upgrade).
    if (status < 200 || status > 599) {
        error_ = "status " + std::to_string(status) + " is not a final status (200..599)";
        return HORNET_EINVAL;
    }
    return check_headers(headers);
}

int ResponseHead::check_headers(std::span<const hornet_header_t> headers) {
    has_length_ = false;
    content_length_ = 0;
    for (const hornet_header_t& h : headers) {
        const std::string_view name = view(h.name), value = view(h.value);
        if (!support::is_token(name)) {
            error_ = "response header name \"" + printable(name) + "\" is not a token";
            return HORNET_EINVAL;
        }
        if (!support::is_field_value(value)) {
            error_ = "response header \"" + std::string(name) + "\" has a control byte (CR, LF, NUL...) in its value";
            return HORNET_EINVAL;
        }
        if (iequals(name, "Content-Length") && take_content_length(value) != HORNET_OK) return HORNET_EINVAL;
    }
    return HORNET_OK;
}

int ResponseHead::take_content_length(std::string_view value) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
        error_ = "response Content-Length \"" + printable(value) + "\" is not a number";
        return HORNET_EINVAL;
    }
    if (has_length_ && n != content_length_) {
        error_ = "response has two different Content-Length headers";
        return HORNET_EINVAL;
    }
    has_length_ = true;
    content_length_ = n;
    return HORNET_OK;
}

void ResponseHead::choose_framing(int status, const ResponseContext& ctx) {
    if (!support::status_has_body(status) || ctx.head_request) framing_ = Framing::none;
    else if (has_length_) framing_ = Framing::length;
    else if (ctx.version >= 11) framing_ = Framing::chunked;
    else framing_ = Framing::until_close;
    keep_alive_ = ctx.keep_alive && framing_ != Framing::until_close;
    version_ = ctx.version;
}

// The Connection header is the last one, so it is rewritten in place.
void ResponseHead::close_connection() {
    if (!keep_alive_) return;
    keep_alive_ = false;
    buf_.resize(buf_.size() - 2); // the blank line
    if (version_ < 11) buf_.resize(buf_.size() - kKeepAlive.size());
    buf_.append(kClose).append("\r\n");
}

void ResponseHead::append_header(std::string_view name, std::string_view value, bool keep_view) {
    if (keep_view) offsets_.push_back({buf_.size(), name.size(), buf_.size() + name.size() + 2, value.size()});
    buf_.append(name).append(": ").append(value).append("\r\n");
}

void ResponseHead::write_head(int status, std::span<const hornet_header_t> headers) {
    char code[4] = {static_cast<char>('0' + status / 100), static_cast<char>('0' + status / 10 % 10),
                    static_cast<char>('0' + status % 10), ' '};
    buf_.append("HTTP/1.1 ").append(code, 4).append(status_reason(status)).append("\r\n");
    append_header("Server", "hornet", false);
    append_header("Date", http_date(), false);
    for (const hornet_header_t& h : headers) {
        const std::string_view name = view(h.name);
        if (is_worker_header(name) || iequals(name, "Content-Length")) continue;
        append_header(name, view(h.value), true);
    }
    // 1xx and 204 must not carry a length (RFC 9110 8.6); HEAD and 304 may.
    if (has_length_ && !(status < 200 || status == 204)) {
        char digits[24];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, content_length_);
        append_header("Content-Length", std::string_view(digits, end - digits), true);
    }
    if (framing_ == Framing::chunked) append_header("Transfer-Encoding", "chunked", false);
    if (framing_ == Framing::raw) append_header("Connection", "Upgrade", false);
    else if (!keep_alive_) append_header("Connection", "close", false);
    else if (version_ < 11) append_header("Connection", "keep-alive", false); // 1.0 must opt in
    buf_.append("\r\n");
    buf_.reserve(buf_.size() + kClose.size()); // close_connection() must not move the views
    for (const Offsets& o : offsets_)
        views_.push_back({{buf_.data() + o.name, o.name_len}, {buf_.data() + o.value, o.value_len}});
}

} // namespace hornet::sdk
