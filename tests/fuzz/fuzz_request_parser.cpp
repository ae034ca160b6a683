// tests/fuzz/fuzz_request_parser.cpp: libFuzzer target for the client-facing
// parsers of plugins/sdk: the PROXY header, the request head (every limit
// and rule) and the body (Content-Length and chunked), fed whole and in
// pieces, with the head moved between calls as a connection's buffer moves.
//
// Input: one option byte, then the bytes a client would send. Options:
//   bit 0     a PROXY header may come first (parse_proxy_header)
//   bits 1-3  the piece size of the incremental feed: 1 2 3 7 16 64 512 all
//   bits 4-5  limits: Gunicorn's defaults, or tiny ones (414/431/413 paths)
//   bits 6-7  the body output buffer: 1, 7, 64 or 16 KiB bytes
// Besides ASan/UBSan's checks, it traps when an invariant breaks: a view
// outside the head, more bytes consumed or produced than given, or the two
// feeds (whole and in pieces) disagreeing on whether, and where, a head
// ends (two readings of one byte stream must agree: else, request smuggling).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "hornet/sdk/detail/proxy_header.hpp"
#include "hornet/sdk/request_parser.hpp"

using namespace hornet::sdk;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

struct Options {
    bool proxy;
    size_t step;
    ParserLimits limits;
    size_t out_cap;
};

Options options_of(uint8_t b) {
    static constexpr size_t kSteps[8] = {1, 2, 3, 7, 16, 64, 512, SIZE_MAX};
    static constexpr size_t kOut[4] = {1, 7, 64, 16384};
    Options o{(b & 1) != 0, kSteps[(b >> 1) & 7], ParserLimits{}, kOut[(b >> 6) & 3]};
    if ((b >> 4) & 1) o.limits = ParserLimits{40, 4, 32, 100};
    if ((b >> 5) & 1) o.limits.body = UINT64_MAX;
    return o;
}

bool inside(hornet_str_t s, const char* first, size_t len) {
    if (s.len == 0) return true;
    return s.ptr >= first && s.ptr + s.len <= first + len;
}

// Every view of a parsed request lies within its head.
void check_request(const RequestParser& p, const std::vector<char>& head, size_t consumed) {
    hornet_request_t r{};
    p.fill(r);
    const char* h = head.data();
    check(r.method.len != 0 && inside(r.method, h, consumed) && inside(r.target, h, consumed));
    check(inside(r.path, h, consumed) && inside(r.query, h, consumed));
    check(r.version == 10 || r.version == 11);
    for (size_t i = 0; i < r.header_count; ++i)
        check(inside(r.headers[i].name, h, consumed) && inside(r.headers[i].value, h, consumed));
    const std::string_view line = p.request_line();
    check(line.empty() || (line.data() >= h && line.data() + line.size() <= h + consumed));
}

// Reads the body from `in`, `step` bytes arriving at a time, into out_cap-byte buffers.
void read_body(RequestParser& p, std::string_view in, const Options& o) {
    std::vector<char> out(o.out_cap);
    size_t arrived = std::min(in.size(), o.step);
    for (int guard = 0; guard < 1 << 20; ++guard) {
        std::vector<char> piece(in.begin(), in.begin() + static_cast<ptrdiff_t>(arrived)); // exact size for ASan
        const BodyResult r = p.parse_body(piece, out);
        check(r.consumed <= piece.size() && r.produced <= out.size());
        in.remove_prefix(r.consumed);
        arrived -= r.consumed;
        if (r.status != ParseStatus::need_more) return;
        if (r.produced != 0 || r.consumed != 0) continue;
        if (arrived == in.size()) return; // wants more than the client sent
        arrived = std::min(in.size(), arrived + o.step);
    }
}

// The head fed `step` bytes at a time, from a fresh copy each call (the
// buffer moves); returns the result and leaves the copy in `buf`.
HeadResult feed_head(RequestParser& p, std::string_view in, size_t step, std::vector<char>& buf) {
    HeadResult r;
    size_t fed = 0;
    do {
        fed = step >= in.size() - fed ? in.size() : fed + step;
        buf.assign(in.begin(), in.begin() + static_cast<ptrdiff_t>(fed));
        r = p.parse_head(buf);
        check(r.consumed <= fed);
    } while (r.status == ParseStatus::need_more && fed < in.size());
    return r;
}

std::string_view skip_proxy_header(std::string_view in) {
    std::vector<char> copy(in.begin(), in.end());
    const ProxyHeader h = parse_proxy_header(copy);
    check(h.consumed <= copy.size());
    (void)looks_like_proxy_header(copy);
    return h.status == ProxyParse::done ? in.substr(h.consumed) : in;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const Options o = options_of(data[0]);
    std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
    if (o.proxy) in = skip_proxy_header(in);
    if (in.empty()) return 0;

    RequestParser whole(o.limits), pieces(o.limits);
    std::vector<char> whole_buf, buf;
    const HeadResult a = feed_head(whole, in, SIZE_MAX, whole_buf);
    const HeadResult b = feed_head(pieces, in, o.step, buf);
    // A head is valid read whole or in pieces, or in neither. (An incomplete
    // head may be refused by one and still awaited by the other: Beast
    // re-parses a partial head only once its end is in.)
    check((a.status == ParseStatus::done) == (b.status == ParseStatus::done));
    if (b.status != ParseStatus::done) return 0;
    check(a.consumed == b.consumed);

    // The head moves once more before the views are taken, as pin_head() does.
    std::vector<char> head(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(b.consumed));
    pieces.resolve(head.data());
    check_request(pieces, head, b.consumed);
    read_body(pieces, in.substr(b.consumed), o);
    return 0;
}
