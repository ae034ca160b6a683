// tests/unit/sdk/response_encoder_test.cpp: response head serialization and
// body framing (Content-Length, chunked, HEAD, HTTP/1.0), and the refusal of
// bad bytes from apps.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hornet/sdk/detail/http_date.hpp"
#include "hornet/sdk/response_encoder.hpp"
#include "hornet/support/text.hpp"

using namespace hornet::sdk;

namespace {

hornet_str_t s(const char* c) { return {c, std::char_traits<char>::length(c)}; }
hornet_header_t h(const char* n, const char* v) { return {s(n), s(v)}; }

std::string flat(const WireBuffers& w) {
    std::string out;
    for (const iovec& v : w.iov()) out.append(static_cast<const char*>(v.iov_base), v.iov_len);
    return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST(ResponseEncoder, ContentLengthHeadAndBodyLeaveTogether) {
    ResponseEncoder enc;
    enc.reset({11, false, false});
    const hornet_header_t hs[] = {h("Content-Type", "text/plain"), h("Content-Length", "5")};
    ASSERT_EQ(enc.start(200, hs), HORNET_OK);
    WireBuffers w;
    ASSERT_EQ(enc.body("hello", 5, w), HORNET_OK);
    const std::string out = flat(w);
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_TRUE(has(out, "\r\nServer: hornet\r\n"));
    EXPECT_TRUE(has(out, "\r\nDate: "));
    EXPECT_TRUE(has(out, "\r\nContent-Type: text/plain\r\n"));
    EXPECT_TRUE(has(out, "\r\nContent-Length: 5\r\n"));
    EXPECT_TRUE(has(out, "\r\nConnection: close\r\n"));
    EXPECT_FALSE(has(out, "Transfer-Encoding"));
    EXPECT_EQ(out.substr(out.size() - 9), "\r\n\r\nhello");
    WireBuffers end;
    enc.finish(end);
    EXPECT_TRUE(end.empty());
    EXPECT_TRUE(enc.complete());
    EXPECT_EQ(enc.body_bytes(), 5u);
    ASSERT_EQ(enc.head().headers().size(), 2u); // the app's, as sent, for the access log
}

TEST(ResponseEncoder, NoLengthMeansChunkedOnHttp11) {
    ResponseEncoder enc;
    enc.reset({11, false, true});
    ASSERT_EQ(enc.start(200, {}), HORNET_OK);
    WireBuffers w;
    ASSERT_EQ(enc.body("abc", 3, w), HORNET_OK);
    std::string out = flat(w);
    EXPECT_TRUE(has(out, "Transfer-Encoding: chunked\r\n"));
    EXPECT_FALSE(has(out, "Connection:")); // kept alive on 1.1: nothing to say
    EXPECT_EQ(out.substr(out.find("\r\n\r\n") + 4), "3\r\nabc\r\n");
    WireBuffers big;
    std::string data(300, 'x');
    enc.body(data.data(), data.size(), big);
    EXPECT_EQ(flat(big), "12c\r\n" + data + "\r\n");
    WireBuffers end;
    enc.finish(end);
    EXPECT_EQ(flat(end), "0\r\n\r\n");
    EXPECT_TRUE(enc.keep_alive());
}

TEST(ResponseEncoder, Http10WithoutLengthEndsWithTheConnection) {
    ResponseEncoder enc;
    enc.reset({10, false, true});
    ASSERT_EQ(enc.start(200, {}), HORNET_OK);
    WireBuffers w;
    enc.body("abc", 3, w);
    const std::string out = flat(w);
    EXPECT_FALSE(has(out, "Transfer-Encoding"));
    EXPECT_TRUE(has(out, "Connection: close\r\n"));
    EXPECT_EQ(out.substr(out.size() - 7), "\r\n\r\nabc");
    EXPECT_FALSE(enc.keep_alive());
}

// ends_connection() marks the bytes that may leave with the FIN: only once
// every byte is accounted for, and only when the connection closes after.
TEST(ResponseEncoder, EndsConnectionOnlyWithTheLastBytesOfAClosingResponse) {
    ResponseEncoder enc;
    enc.reset({11, false, false}); // this response closes the connection
    const hornet_header_t five[] = {h("Content-Length", "5")};
    EXPECT_FALSE(enc.ends_connection()); // not started
    ASSERT_EQ(enc.start(200, five), HORNET_OK);
    WireBuffers w1, w2;
    ASSERT_EQ(enc.body("hel", 3, w1), HORNET_OK);
    EXPECT_FALSE(enc.ends_connection());
    ASSERT_EQ(enc.body("lo", 2, w2), HORNET_OK);
    EXPECT_TRUE(enc.ends_connection()); // the whole Content-Length, before finish()

    enc.reset({11, false, false});
    ASSERT_EQ(enc.start(200, {}), HORNET_OK); // until close on a closing 1.1 connection: chunked
    WireBuffers w3, w4;
    enc.body("abc", 3, w3);
    EXPECT_FALSE(enc.ends_connection()); // more may follow until finish()
    enc.finish(w4);
    EXPECT_TRUE(enc.ends_connection());

    enc.reset({11, false, true}); // kept alive: the connection goes on
    ASSERT_EQ(enc.start(200, five), HORNET_OK);
    WireBuffers w5, w6;
    enc.body("hello", 5, w5);
    enc.finish(w6);
    EXPECT_FALSE(enc.ends_connection());
}

TEST(ResponseEncoder, Http10KeepAliveSaysSo) {
    ResponseEncoder enc;
    enc.reset({10, false, true});
    const hornet_header_t hs[] = {h("Content-Length", "0")};
    ASSERT_EQ(enc.start(200, hs), HORNET_OK);
    WireBuffers w;
    enc.finish(w);
    EXPECT_TRUE(has(flat(w), "Connection: keep-alive\r\n"));
}

TEST(ResponseEncoder, HeadSendsNoBodyBytes) {
    ResponseEncoder enc;
    enc.reset({11, true, false});
    const hornet_header_t hs[] = {h("Content-Length", "5")};
    ASSERT_EQ(enc.start(200, hs), HORNET_OK);
    WireBuffers w;
    ASSERT_EQ(enc.body("hello", 5, w), HORNET_OK);
    const std::string out = flat(w);
    EXPECT_TRUE(has(out, "Content-Length: 5\r\n"));
    EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
    WireBuffers end;
    enc.finish(end);
    EXPECT_TRUE(end.empty());
    EXPECT_EQ(enc.body_bytes(), 0u);
    // Without a length: no chunked framing either.
    enc.reset({11, true, false});
    enc.start(200, {});
    WireBuffers w2;
    enc.body("xyz", 3, w2);
    enc.finish(w2);
    EXPECT_FALSE(has(flat(w2), "chunked"));
    EXPECT_EQ(flat(w2).substr(flat(w2).size() - 4), "\r\n\r\n");
}

TEST(ResponseEncoder, WorkerHeadersFromTheAppAreDropped) {
    ResponseEncoder enc;
    enc.reset({11, false, false});
    const hornet_header_t hs[] = {h("Connection", "keep-alive"), h("Server", "evil"), h("date", "x"),
                                  h("Transfer-Encoding", "gzip"), h("X-Ok", "1")};
    ASSERT_EQ(enc.start(200, hs), HORNET_OK);
    WireBuffers w;
    enc.finish(w);
    const std::string out = flat(w);
    EXPECT_FALSE(has(out, "evil"));
    EXPECT_FALSE(has(out, "keep-alive"));
    EXPECT_FALSE(has(out, "gzip"));
    EXPECT_FALSE(has(out, "date: x"));
    EXPECT_TRUE(has(out, "X-Ok: 1\r\n"));
}

TEST(ResponseEncoder, BadBytesAndStatusesAreRefused) {
    const std::vector<hornet_header_t> bad = {
        h("X-Bad", "a\r\nInjected: 1"), h("X-Bad", "a\nb"), h("Bad Name", "v"), h("", "v"),
        h("X-Colon:", "v"),           h("Content-Length", "12x"),
        h("X-Bad", "a\rb"),          h("X-Bad", "a\x01b"), h("X-Bad", "a\x7f"), h("X-Bad\r\nY", "v"),
        h("X\nY", "v"),              h("X-Bad", "a tab is fine, an ESC\x1b is not"),
    };
    for (const hornet_header_t& header : bad) {
        ResponseEncoder enc;
        enc.reset({11, false, false});
        EXPECT_EQ(enc.start(200, {&header, 1}), HORNET_EINVAL) << std::string(header.value.ptr, header.value.len);
        EXPECT_FALSE(enc.started());
        EXPECT_FALSE(enc.head().error().empty());
    }
    const char nul_value[] = {'a', '\0', 'b'};
    const hornet_header_t with_nul = {s("X-Nul"), {nul_value, 3}};
    ResponseEncoder enc;
    enc.reset({11, false, false});
    EXPECT_EQ(enc.start(200, {&with_nul, 1}), HORNET_EINVAL);
    for (int status : {0, 99, 100, 101, 103, 199, 600, 999, 1000, -200})
        EXPECT_EQ(enc.start(status, {}), HORNET_EINVAL) << status;
    EXPECT_EQ(enc.start(599, {}), HORNET_OK);
    EXPECT_EQ(enc.start(200, {}), HORNET_EINVAL); // only once
}

TEST(ResponseEncoder, WritesBeyondContentLengthAreRefused) {
    ResponseEncoder enc;
    enc.reset({11, false, false});
    const hornet_header_t hs[] = {h("Content-Length", "4")};
    enc.start(200, hs);
    WireBuffers w;
    EXPECT_EQ(enc.body("abc", 3, w), HORNET_OK);
    WireBuffers w2;
    EXPECT_EQ(enc.body("de", 2, w2), HORNET_EINVAL);
    EXPECT_TRUE(w2.empty());
    WireBuffers end;
    enc.finish(end);
    EXPECT_FALSE(enc.complete()); // 3 of 4 bytes: the caller must close
    EXPECT_FALSE(enc.keep_alive());
}

TEST(ResponseEncoder, NoBodyStatuses) {
    ResponseEncoder enc;
    enc.reset({11, false, true});
    const hornet_header_t hs[] = {h("Content-Length", "10")};
    ASSERT_EQ(enc.start(204, hs), HORNET_OK);
    WireBuffers w;
    EXPECT_EQ(enc.body("x", 1, w), HORNET_EINVAL);
    enc.finish(w);
    const std::string out = flat(w);
    EXPECT_EQ(out.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u);
    EXPECT_FALSE(has(out, "Content-Length"));
    EXPECT_FALSE(has(out, "chunked"));
}

TEST(ResponseEncoder, FinishWithoutStartIsAnEmpty200) {
    ResponseEncoder enc;
    enc.reset({11, false, false});
    WireBuffers w;
    enc.finish(w);
    const std::string out = flat(w);
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_TRUE(has(out, "Content-Length: 0\r\n"));
    EXPECT_TRUE(enc.complete());
}

TEST(ResponseEncoder, ErrorResponseReplacesAnUnsentHead) {
    ResponseEncoder enc;
    enc.reset({11, false, true});
    enc.start(200, {});
    WireBuffers w;
    enc.error_response(413, w);
    const std::string out = flat(w);
    EXPECT_EQ(out.rfind("HTTP/1.1 413 Content Too Large\r\n", 0), 0u);
    EXPECT_TRUE(has(out, "Connection: close\r\n"));
    EXPECT_TRUE(has(out, "Content-Length: 18\r\n"));
    EXPECT_EQ(out.substr(out.size() - 18), "Content Too Large\n");
    EXPECT_EQ(enc.status(), 413);
    EXPECT_FALSE(enc.keep_alive());
}

TEST(ResponseEncoder, UnknownStatusStillHasAReason) {
    EXPECT_EQ(status_reason(799), "Unknown");
    EXPECT_EQ(status_reason(431), "Request Header Fields Too Large");
}

TEST(HttpDate, ImfFixdate) {
    char out[29];
    format_http_date(784111777, out);
    EXPECT_EQ(std::string(out, 29), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(http_date().size(), 29u);
    EXPECT_EQ(http_date().substr(26), "GMT");
}

// ABI 1.6: trailer fields follow the last chunk, for a client that said
// TE: trailers; a response that cannot carry them checks and drops them.
TEST(ResponseEncoder, TrailersFollowTheLastChunk) {
    ResponseEncoder enc;
    enc.reset({11, false, true, true});
    const hornet_header_t none[] = {h("X-A", "1")};
    EXPECT_EQ(enc.trailers(none), HORNET_EINVAL); // before start()
    ASSERT_EQ(enc.start(200, {}), HORNET_OK);
    EXPECT_TRUE(enc.carries_trailers());
    WireBuffers w;
    enc.body("abc", 3, w);
    const hornet_header_t first[] = {h("X-Checksum", "abc123"), h("Server-Timing", "app;dur=5")};
    const hornet_header_t second[] = {h("X-Count", "1")};
    ASSERT_EQ(enc.trailers(first), HORNET_OK);
    ASSERT_EQ(enc.trailers(second), HORNET_OK); // they add up
    WireBuffers end;
    enc.finish(end);
    EXPECT_EQ(flat(end), "0\r\nX-Checksum: abc123\r\nServer-Timing: app;dur=5\r\nX-Count: 1\r\n\r\n");
    EXPECT_EQ(enc.trailers(second), HORNET_EINVAL); // after finish()

    enc.reset({11, false, true, true}); // the next request starts with none
    ASSERT_EQ(enc.start(200, {}), HORNET_OK);
    WireBuffers end2;
    enc.finish(end2);
    EXPECT_EQ(flat(end2).substr(flat(end2).size() - 5), "0\r\n\r\n");
}

TEST(ResponseEncoder, TrailersAreRefusedForBadOrHeadOnlyFields) {
    ResponseEncoder enc;
    enc.reset({11, false, true, true});
    ASSERT_EQ(enc.start(200, {}), HORNET_OK);
    const hornet_header_t bad[][2] = {{h("X-Ok", "1"), h("X Bad", "1")},
                                      {h("X-Ok", "1"), h("X-Evil", "a\r\nInjected: 1")},
                                      {h("X-Ok", "1"), h("content-length", "3")},
                                      {h("X-Ok", "1"), h("Transfer-Encoding", "chunked")},
                                      {h("X-Ok", "1"), h("Trailer", "X-Ok")}};
    for (const auto& fields : bad) {
        EXPECT_EQ(enc.trailers(fields), HORNET_EINVAL) << hornet::support::view(fields[1].name);
        EXPECT_FALSE(enc.trailer_error().empty());
    }
    WireBuffers end;
    enc.finish(end);
    const std::string out = flat(end);
    EXPECT_EQ(out.substr(out.size() - 9), "\r\n\r\n0\r\n\r\n"); // a refused call keeps none of its fields
}

TEST(ResponseEncoder, TrailersAreDroppedWhereTheyCannotGo) {
    const hornet_header_t fields[] = {h("X-Checksum", "abc")};
    const hornet_header_t five[] = {h("Content-Length", "5")};
    struct Case {
        const char* what;
        ResponseContext ctx;
        bool fixed;
    } cases[] = {{"no TE: trailers", {11, false, true, false}, false},
                 {"Content-Length", {11, false, true, true}, true},
                 {"HTTP/1.0", {10, false, true, true}, false},
                 {"HEAD", {11, true, true, true}, false}};
    for (const Case& c : cases) {
        ResponseEncoder enc;
        enc.reset(c.ctx);
        ASSERT_EQ(enc.start(200, c.fixed ? std::span<const hornet_header_t>(five) : std::span<const hornet_header_t>()),
                  HORNET_OK);
        EXPECT_FALSE(enc.carries_trailers()) << c.what;
        WireBuffers w, end;
        if (c.fixed) enc.body("hello", 5, w);
        EXPECT_EQ(enc.trailers(fields), HORNET_OK) << c.what;
        enc.finish(end);
        EXPECT_FALSE(has(flat(w) + flat(end), "X-Checksum")) << c.what;
    }
}
