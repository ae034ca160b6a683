// Private to request_parser.cpp: the Boost.Beast basic_parser subclass.
//
// Beast calls these hooks while it parses; they record where each part of
// the head lies (as offsets, since the caller's buffer may move between
// calls while the head is incomplete), enforce the limits Beast does not
// know (field count and size) and the RFC 9112 rules it is lenient about
// (request_rules.hpp: target form, Host, strict Content-Length and
// Transfer-Encoding, obs-fold), and copy body bytes into the caller's buffer.
// Only request_parser.cpp includes this.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <span>
#include <vector>

#include "hornet/sdk/limits.hpp"

namespace hornet::sdk::detail {

namespace http = boost::beast::http;
using boost::beast::error_code;
using beast_sv = boost::beast::string_view;

// A piece of the head, relative to the request's first byte.
struct Span {
    uint32_t off = 0;
    uint32_t len = 0;
};

struct FieldSpan {
    Span name;
    Span value;
};

// What the hooks learn about the head.
struct HeadFacts {
    Span method;
    Span target;
    int version = 11;
    bool head_method = false;
    bool expect_continue = false;
    int status = 0;       // a limit or rule the hooks enforced: 431, 501, 400
    bool in_body = false; // fields now are chunked trailers: not kept
    int host_count = 0;
    bool has_length = false; // a Content-Length field was seen
    bool chunked = false;    // Transfer-Encoding: chunked was accepted
    bool te_trailers = false; // TE lists "trailers": response trailers reach the client
    std::vector<FieldSpan> fields;
};

class BeastRequestParser final : public http::basic_parser<true> {
public:
    BeastRequestParser(const ParserLimits& limits, HeadFacts& facts) : limits_(limits), facts_(facts) {}

    // The bytes the next put() sees: `base` is the request's first byte.
    void feeding(const char* base, std::span<const char> input) {
        base_ = base;
        input_ = input;
    }
    // Where the next body bytes go; returns how many were written so far.
    void output(std::span<char> out) {
        out_ = out;
        produced_ = 0;
    }
    size_t produced() const { return produced_; }

private:
    bool locate(beast_sv s, Span& out) const;
    bool unfolded(beast_sv name, beast_sv value) const;
    int framing_status(http::field name, beast_sv value);
    size_t take_body(beast_sv body, error_code& ec);
    void fail(int status, error_code& ec);

    void on_request_impl(http::verb method, beast_sv method_str, beast_sv target, int version,
                         error_code& ec) override;
    void on_response_impl(int, beast_sv, int, error_code& ec) override { ec = http::error::bad_version; }
    void on_field_impl(http::field name, beast_sv name_str, beast_sv value, error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(beast_sv body, error_code& ec) override { return take_body(body, ec); }
    void on_chunk_header_impl(std::uint64_t, beast_sv, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast_sv body, error_code& ec) override {
        return take_body(body, ec);
    }
    void on_finish_impl(error_code&) override {}

    const ParserLimits& limits_;
    HeadFacts& facts_;
    const char* base_ = nullptr;
    std::span<const char> input_;
    std::span<char> out_;
    size_t produced_ = 0;
};

} // namespace hornet::sdk::detail
