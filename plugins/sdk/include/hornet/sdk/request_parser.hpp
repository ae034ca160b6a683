// hornet/sdk/request_parser.hpp: the HTTP/1.1 request codec (input side).
//
// A pimpl over Boost.Beast's basic_parser, so Beast stays in one .cpp. It
// parses the head without copying (every view points into the caller's
// buffer), enforces the request limits with the statuses Gunicorn uses (414,
// 431, 413, else 400) and RFC 9112's framing strictly where Beast is lenient
// (obs-fold, bare CR/LF, Host, Content-Length with Transfer-Encoding, a
// final coding other than chunked: 400; other codings: 501; a version other
// than 1.0/1.1: 505), and then de-chunks the body into caller buffers piece
// by piece: the whole body is never held. After an error status the
// connection must close. One per connection, reset() per request;
// single-threaded (whoever reads the exchange).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "hornet/app.h"
#include "hornet/sdk/limits.hpp"

namespace hornet::sdk {

enum class ParseStatus { need_more, done, error };

struct HeadResult {
    ParseStatus status = ParseStatus::need_more;
    size_t consumed = 0;  // bytes of the input that belong to the head
    int http_status = 0;  // on error: the status to answer with
};

struct BodyResult {
    ParseStatus status = ParseStatus::need_more; // done: the body has ended
    size_t consumed = 0;  // input bytes used (framing included)
    size_t produced = 0;  // body bytes written to the output
    int http_status = 0;  // on error: 400 malformed, 413 over the limit
};

class RequestParser {
public:
    explicit RequestParser(const ParserLimits& limits = {});
    ~RequestParser();
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;

    // Forget the previous request; the next parse_head() starts a new one.
    void reset();

    // `buffered` holds every byte received for this request so far, starting
    // at its first byte (the same start on every call; it may have moved in
    // memory between calls). On done, the head is input[0, consumed).
    HeadResult parse_head(std::span<const char> buffered);

    // After done: point every view at `head`, where the head's bytes now live
    // (the caller may have moved them). Valid until the next reset().
    void resolve(const char* head);

    // After resolve(): the request fields the codec knows. Leaves scheme,
    // peer and server addresses to the caller.
    void fill(hornet_request_t& request) const;

    bool head_request() const;  // method is HEAD
    bool keep_alive() const;    // the client would keep the connection
    bool accepts_trailers() const; // TE: trailers (a chunked response may end with fields)
    std::string_view request_line() const; // "GET / HTTP/1.1", after resolve()

    // Body bytes from `in` into `out`, de-chunked. need_more with produced 0:
    // read more input. Call until done; done at once for a body-less request.
    BodyResult parse_body(std::span<const char> in, std::span<char> out);
    bool body_done() const;
    // The request's bytes used so far: head and body, framing included.
    uint64_t bytes_taken() const;
    // Bytes an upgraded connection read after the head, for the same count.
    void count_raw(uint64_t n);
    // Body bytes still to come, when the head said how many (Content-Length);
    // nothing for a chunked body.
    std::optional<uint64_t> body_left() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Case-insensitive lookup among a request's headers (first match).
bool find_header(const hornet_request_t& request, std::string_view name, hornet_str_t* value);

} // namespace hornet::sdk
