// hornet/sdk/detail/response_head.hpp: validates and serializes a response head.
//
// Turns an app's start(status, headers) into the status line and header
// block, choosing the body framing: Content-Length when the app set one,
// else chunked (HTTP/1.1) or until-close (HTTP/1.0); none for HEAD, 1xx, 204
// and 304. Connection, Transfer-Encoding, Date and Server are the worker's:
// the app's are dropped. A status outside 200..599 (a 1xx is no final
// answer), a header value with a control byte (CR, LF, NUL...; HTAB is
// fine) or a name that is not a token is refused, so bad bytes never reach
// the wire. Transport-independent; one per connection, reused.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hornet/abi.h"

namespace hornet::sdk {

// raw: an upgraded connection (101): bytes pass as they are, and it ends with the connection.
enum class Framing { none, length, chunked, until_close, raw };

// What the response depends on besides the app's input.
struct ResponseContext {
    int version = 11;           // the request's: 10 or 11
    bool head_request = false;  // HEAD: headers only, never body bytes
    bool keep_alive = false;    // the worker would keep the connection and the client allows it
    bool trailers = false;      // the client said TE: trailers
};

// "OK" for 200; "Unknown" for a code without a registered phrase.
std::string_view status_reason(int status);

class ResponseHead {
public:
    ResponseHead();

    // HORNET_OK, or HORNET_EINVAL with error() saying what was wrong.
    int build(int status, std::span<const hornet_header_t> headers, const ResponseContext& ctx);
    // "101 Switching Protocols" with Connection: Upgrade; raw framing after it.
    int build_upgrade(std::span<const hornet_header_t> headers);

    // The connection closes after this response after all: a head that
    // kept it now says Connection: close (views stay valid).
    void close_connection();

    std::string_view bytes() const { return buf_; }
    int status() const { return status_; }
    Framing framing() const { return framing_; }
    bool has_length() const { return has_length_; }              // the app set Content-Length
    uint64_t content_length() const { return content_length_; }
    bool keep_alive() const { return keep_alive_; }
    // The app's headers as sent (views into bytes()), for the access log.
    std::span<const hornet_header_t> headers() const { return views_; }
    const std::string& error() const { return error_; }

private:
    int check(int status, std::span<const hornet_header_t> headers);
    int check_headers(std::span<const hornet_header_t> headers);
    int take_content_length(std::string_view value);
    void choose_framing(int status, const ResponseContext& ctx);
    void write_head(int status, std::span<const hornet_header_t> headers);
    void append_header(std::string_view name, std::string_view value, bool keep_view);

    struct Offsets {
        size_t name, name_len, value, value_len;
    };

    std::string buf_;
    std::vector<Offsets> offsets_;         // where each sent header lies in buf_
    std::vector<hornet_header_t> views_;   // the same, as views, once buf_ is final
    std::string error_;
    int status_ = 0;
    Framing framing_ = Framing::none;
    bool has_length_ = false;
    uint64_t content_length_ = 0;
    bool keep_alive_ = false;
    int version_ = 11;
};

} // namespace hornet::sdk
