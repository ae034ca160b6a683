// tests/unit/sdk/request_parser_test.cpp: the request codec (head, limits,
// body de-chunking) without sockets.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "hornet/sdk/request_parser.hpp"
#include "hornet/support/text.hpp"

using namespace hornet::sdk;

namespace {

using hornet::support::view;

struct Parsed {
    HeadResult result;
    hornet_request_t request{};
};

// Parses a whole head held in `bytes` (which must outlive the views).
Parsed parse(RequestParser& p, const std::string& bytes) {
    Parsed out;
    p.reset();
    out.result = p.parse_head(bytes);
    if (out.result.status == ParseStatus::done) {
        p.resolve(bytes.data());
        p.fill(out.request);
    }
    return out;
}

// Reads the whole body through `cap`-byte outputs, feeding `in` in pieces of `step`.
std::string read_body(RequestParser& p, std::string_view in, size_t cap, size_t step, BodyResult* last = nullptr) {
    std::string body, out(cap, '\0');
    size_t fed = 0, used = 0;
    for (int guard = 0; guard < 100000; ++guard) {
        BodyResult r = p.parse_body(in.substr(used, fed - used), {out.data(), cap});
        used += r.consumed;
        body.append(out.data(), r.produced);
        if (last) *last = r;
        if (r.status != ParseStatus::need_more) return body;
        if (r.produced == 0) {
            if (fed == in.size()) return body;
            fed = std::min(in.size(), fed + step);
        }
    }
    return body;
}

} // namespace

TEST(RequestParser, SimpleGet) {
    RequestParser p;
    const std::string req = "GET /a%20b?x=1&y HTTP/1.1\r\nHost: example\r\n\r\n";
    Parsed r = parse(p, req);
    ASSERT_EQ(r.result.status, ParseStatus::done);
    EXPECT_EQ(r.result.consumed, req.size());
    EXPECT_EQ(view(r.request.method), "GET");
    EXPECT_EQ(view(r.request.target), "/a%20b?x=1&y");
    EXPECT_EQ(view(r.request.path), "/a%20b");
    EXPECT_EQ(view(r.request.query), "x=1&y");
    EXPECT_EQ(r.request.version, 11);
    EXPECT_EQ(r.request.content_length, 0);
    EXPECT_TRUE(r.request.flags & HORNET_REQ_KEEP_ALIVE);
    EXPECT_TRUE(p.body_done());
    EXPECT_FALSE(p.head_request());
    EXPECT_EQ(p.request_line(), "GET /a%20b?x=1&y HTTP/1.1");
}

TEST(RequestParser, HeadersInOrderAndFoundCaseInsensitively) {
    RequestParser p;
    const std::string req = "GET / HTTP/1.1\r\nHost: h\r\nX-Custom-Thing:  spaced value \r\nACCEPT: */*\r\n\r\n";
    Parsed r = parse(p, req);
    ASSERT_EQ(r.result.status, ParseStatus::done);
    ASSERT_EQ(r.request.header_count, 3u);
    EXPECT_EQ(view(r.request.headers[1].name), "X-Custom-Thing");
    EXPECT_EQ(view(r.request.headers[1].value), "spaced value");
    EXPECT_EQ(view(r.request.headers[2].name), "ACCEPT");
    hornet_str_t v{};
    EXPECT_TRUE(find_header(r.request, "accept", &v));
    EXPECT_EQ(view(v), "*/*");
    EXPECT_FALSE(find_header(r.request, "cookie", &v));
}

TEST(RequestParser, HeadArrivingInPiecesAndMovedBeforeResolve) {
    RequestParser p;
    const std::string req = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
    HeadResult r;
    std::string growing;
    for (char c : req) {
        growing.push_back(c);
        std::string copy = growing; // the buffer moves between calls
        r = p.parse_head(copy);
        if (r.status != ParseStatus::need_more) break;
    }
    ASSERT_EQ(r.status, ParseStatus::done);
    const std::string final_copy = growing;
    p.resolve(final_copy.data());
    hornet_request_t request{};
    p.fill(request);
    EXPECT_EQ(view(request.method), "POST");
    EXPECT_EQ(view(request.target), "/up");
    EXPECT_EQ(request.content_length, 3);
    EXPECT_EQ(view(request.headers[1].value), "3");
}

TEST(RequestParser, ContentLengthBodyInSmallPieces) {
    RequestParser p;
    const std::string req = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world";
    Parsed r = parse(p, req);
    ASSERT_EQ(r.result.status, ParseStatus::done);
    EXPECT_FALSE(p.body_done());
    BodyResult last;
    EXPECT_EQ(read_body(p, std::string_view(req).substr(r.result.consumed), 4, 3, &last), "hello world");
    EXPECT_EQ(last.status, ParseStatus::done);
    EXPECT_TRUE(p.body_done());
}

TEST(RequestParser, ChunkedBodyIsDechunked) {
    RequestParser p;
    const std::string req = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string body = "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n";
    Parsed r = parse(p, req);
    ASSERT_EQ(r.result.status, ParseStatus::done);
    EXPECT_EQ(r.request.content_length, -1);
    EXPECT_TRUE(r.request.flags & HORNET_REQ_CHUNKED);
    BodyResult last;
    EXPECT_EQ(read_body(p, body, 3, 1, &last), "Wikipedia in\r\n\r\nchunks.");
    EXPECT_EQ(last.status, ParseStatus::done);
}

TEST(RequestParser, ChunkedBodyInOneGo) {
    RequestParser p;
    const std::string req = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    ASSERT_EQ(parse(p, req).result.status, ParseStatus::done);
    EXPECT_EQ(read_body(p, "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 64 * 1024, 1 << 20), "abcdef");
    EXPECT_TRUE(p.body_done());
}

TEST(RequestParser, PipelinedBytesAreLeftOver) {
    RequestParser p;
    const std::string two = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
    Parsed r = parse(p, two);
    ASSERT_EQ(r.result.status, ParseStatus::done);
    EXPECT_EQ(view(r.request.target), "/1");
    const std::string rest = two.substr(r.result.consumed);
    EXPECT_EQ(rest, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
    Parsed r2 = parse(p, rest);
    ASSERT_EQ(r2.result.status, ParseStatus::done);
    EXPECT_EQ(view(r2.request.target), "/2");
}

TEST(RequestParser, LeftOverAfterBody) {
    RequestParser p;
    const std::string req = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nokGET /next";
    Parsed r = parse(p, req);
    char out[16];
    BodyResult b = p.parse_body(std::string_view(req).substr(r.result.consumed), out);
    EXPECT_EQ(b.status, ParseStatus::done);
    EXPECT_EQ(std::string_view(out, b.produced), "ok");
    EXPECT_EQ(req.substr(r.result.consumed + b.consumed), "GET /next");
}

TEST(RequestParser, FlagsExpectHeadAndHttp10) {
    RequestParser p;
    Parsed r = parse(p, "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
    EXPECT_TRUE(r.request.flags & HORNET_REQ_EXPECT_CONTINUE);
    const std::string head = "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n";
    parse(p, head);
    EXPECT_TRUE(p.head_request());
    Parsed old = parse(p, "GET / HTTP/1.0\r\n\r\n");
    EXPECT_EQ(old.request.version, 10);
    EXPECT_FALSE(old.request.flags & HORNET_REQ_KEEP_ALIVE);
    Parsed ka = parse(p, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_TRUE(ka.request.flags & HORNET_REQ_KEEP_ALIVE);
}

TEST(RequestParser, TeTrailersIsSeenPerRequest) {
    RequestParser p;
    parse(p, "GET / HTTP/1.1\r\nHost: h\r\nTE: gzip;q=0.5, Trailers\r\n\r\n");
    EXPECT_TRUE(p.accepts_trailers());
    parse(p, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_FALSE(p.accepts_trailers()); // the last request's TE is forgotten
    parse(p, "GET / HTTP/1.1\r\nHost: h\r\nTE: gzip\r\nte: trailers\r\n\r\n");
    EXPECT_TRUE(p.accepts_trailers()); // in any of the TE fields
}

TEST(RequestParser, LeadingEmptyLinesAreSkipped) {
    RequestParser p;
    const std::string req = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    Parsed r = parse(p, req);
    ASSERT_EQ(r.result.status, ParseStatus::done);
    EXPECT_EQ(view(r.request.method), "GET");
}

// ---- limits ------------------------------------------------------------------

TEST(RequestParserLimits, RequestLineTooLongIs414) {
    ParserLimits limits;
    limits.request_line = 32;
    RequestParser p(limits);
    EXPECT_EQ(parse(p, "GET /" + std::string(40, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n").result.http_status, 414);
    // Also before the line has ended.
    Parsed partial = parse(p, "GET /" + std::string(40, 'a'));
    EXPECT_EQ(partial.result.status, ParseStatus::error);
    EXPECT_EQ(partial.result.http_status, 414);
    EXPECT_EQ(parse(p, "GET /" + std::string(10, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n").result.status, ParseStatus::done);
}

TEST(RequestParserLimits, TooManyFieldsIs431) {
    ParserLimits limits;
    limits.fields = 3;
    RequestParser p(limits);
    std::string req = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (int i = 0; i < 4; ++i) req += "X-" + std::to_string(i) + ": v\r\n";
    EXPECT_EQ(parse(p, req + "\r\n").result.http_status, 431);
}

TEST(RequestParserLimits, FieldTooLargeIs431) {
    ParserLimits limits;
    limits.field_size = 64;
    RequestParser p(limits);
    EXPECT_EQ(parse(p, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(100, 'v') + "\r\n\r\n").result.http_status, 431);
    // An endless field without its line end hits the header budget.
    Parsed partial = parse(p, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(100000, 'v'));
    EXPECT_EQ(partial.result.http_status, 431);
}

// Feeds `bytes` one more byte per call, as a slow client sends them.
HeadResult parse_bytewise(RequestParser& p, const std::string& bytes) {
    p.reset();
    HeadResult r;
    for (size_t n = 1; n <= bytes.size(); ++n) {
        r = p.parse_head({bytes.data(), n});
        if (r.status != ParseStatus::need_more) return r;
    }
    return r;
}

// Beast holds a head it has seen part of to its header limit as a whole,
// but the line and the fields of a head that arrives whole each on their
// own: trailing whitespace (not counted in a field's size) made one head
// complete in one read and a 431 in many (found by fuzz_request_parser).
TEST(RequestParserLimits, HeadBudgetIsTheSameWholeOrInPieces) {
    const ParserLimits limits{40, 4, 32, 100};
    RequestParser whole(limits), pieces(limits);
    for (size_t n = 0; n <= 200; n += 10) {
        const std::string head = "POST / HTTP/1.1\r\nHost: a" + std::string(n, '\t') +
                                 "\r\nTransfer-Encoding: chunked\r\n\r\n";
        const HeadResult a = parse(whole, head).result, b = parse_bytewise(pieces, head);
        EXPECT_EQ(a.status, b.status) << n << " tabs";
        EXPECT_EQ(a.http_status, b.http_status) << n << " tabs";
        // The budget: the longest line, every field at its largest, the CRLFs.
        const bool fits = head.size() <= 40 + 2 + 4 * (32 + 2) + 2;
        EXPECT_EQ(a.status, fits ? ParseStatus::done : ParseStatus::error) << n << " tabs";
    }
    // A head at every limit at once fits, either way.
    std::string full = "GET /" + std::string(40 - 15, 'p') + " HTTP/1.1\r\nHost: h\r\n";
    for (int i = 0; i < 3; ++i) full += "X-" + std::to_string(i) + ": " + std::string(32 - 5, 'v') + "\r\n";
    full += "\r\n";
    EXPECT_EQ(parse(whole, full).result.status, ParseStatus::done);
    EXPECT_EQ(parse_bytewise(pieces, full).status, ParseStatus::done);
}

TEST(RequestParserLimits, BodyOverLimitIs413) {
    ParserLimits limits;
    limits.body = 10;
    RequestParser p(limits);
    EXPECT_EQ(parse(p, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n").result.http_status, 413);
    ASSERT_EQ(parse(p, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n").result.status, ParseStatus::done);
    BodyResult last;
    read_body(p, "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", 64, 100, &last);
    EXPECT_EQ(last.status, ParseStatus::error);
    EXPECT_EQ(last.http_status, 413);
}

// ---- malformed ---------------------------------------------------------------

// (The full table is conformance_table_test.cpp, over conformance_requests.txt.)
TEST(RequestParserMalformed, AreAnswered400) {
    const char* bad[] = {
        "GARBAGE\r\n\r\n",
        "GET / FTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Folded: a\r\n b\r\n\r\n",
    };
    for (const char* req : bad) {
        RequestParser p;
        Parsed r = parse(p, req);
        EXPECT_EQ(r.result.status, ParseStatus::error) << req;
        EXPECT_EQ(r.result.http_status, 400) << req;
    }
}

TEST(RequestParserMalformed, UnknownTransferCodingIs501) {
    RequestParser p;
    EXPECT_EQ(parse(p, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").result.http_status, 501);
}

TEST(RequestParserMalformed, BadChunkIs400) {
    RequestParser p;
    ASSERT_EQ(parse(p, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n").result.status, ParseStatus::done);
    BodyResult last;
    read_body(p, "zz\r\nabc\r\n0\r\n\r\n", 64, 100, &last);
    EXPECT_EQ(last.status, ParseStatus::error);
    EXPECT_EQ(last.http_status, 400);
}
