// tests/unit/sdk/request_rules_test.cpp: the RFC 9112 rules the request
// parser adds to Beast (plugins/sdk/src/request_rules.hpp), one table each.
#include <gtest/gtest.h>

#include <string_view>

#include "request_rules.hpp"

using namespace hornet::sdk;

TEST(RequestRules, VersionStatus) {
    const struct {
        std::string_view line;
        int status;
    } cases[] = {
        {"GET / HTTP/1.1", 0},   {"GET / HTTP/1.0", 0},   {"GET / HTTP/2.0", 505}, {"PRI * HTTP/2.0", 505},
        {"GET / HTTP/1.2", 505}, {"GET / HTTP/0.9", 505}, {"GET / HTTP/3", 505},   {"GET / HTTP/11", 0},
        {"GET / HTTP/1.1x", 0},  {"GET / http/1.1", 0},   {"GET /", 0},            {"", 0},
        {"GET / HTTPS/1.1", 0},  {"GET / HTTP/", 0},      {"GET / HTTP/a.b", 0},
    };
    for (const auto& c : cases) EXPECT_EQ(rules::version_status(c.line), c.status) << c.line;
}

TEST(RequestRules, TargetStatus) {
    const struct {
        std::string_view method, target;
        int status;
    } cases[] = {
        {"GET", "/", 0},           {"GET", "/a?b", 0},          {"GET", "http://h/p", 0}, {"GET", "https://h", 0},
        {"OPTIONS", "*", 0},       {"GET", "*", 400},           {"GET", "a/b", 400},      {"GET", "http:/a", 400},
        {"GET", "://a", 400},      {"GET", "1http://a", 400},   {"GET", "", 400},         {"CONNECT", "h:443", 0},
        {"CONNECT", "h/x:443", 400}, {"GET", "h:443", 400},
    };
    for (const auto& c : cases) EXPECT_EQ(rules::target_status(c.method, c.target), c.status) << c.method << " " << c.target;
}

TEST(RequestRules, Host) {
    for (std::string_view ok : {"", "a", "a.b-c_d~e", "a:80", "a:", "127.0.0.1:8000", "[::1]", "[::1]:80",
                                "[v1.x]", "xn--bcher-kva.example", "a%20b", "a!$&'()*+,;=b"})
        EXPECT_TRUE(rules::is_valid_host(ok)) << ok;
    for (std::string_view bad : {"a b", "a/b", "u@a", "a:b", "a:80:90", "[::1", "[::1]x", "[]", "a%zz", "a%2",
                                 "a\tb", "a\"b", "[::1]:x"})
        EXPECT_FALSE(rules::is_valid_host(bad)) << bad;
}

TEST(RequestRules, ContentLength) {
    for (std::string_view ok : {"0", "5", "005", "18446744073709551615"}) EXPECT_TRUE(rules::is_content_length(ok)) << ok;
    for (std::string_view bad : {"", "+5", "-1", "5 5", "5,5", "0x5", "5.0", " 5"})
        EXPECT_FALSE(rules::is_content_length(bad)) << bad;
}

TEST(RequestRules, TransferEncoding) {
    const struct {
        std::string_view value;
        int status;
    } cases[] = {
        {"chunked", 0},          {"Chunked", 0},          {" chunked\t", 0},          {"gzip, chunked", 501},
        {"gzip;q=1, chunked", 501}, {"deflate,chunked", 501}, {"chunked, gzip", 400},   {"gzip", 400},
        {"identity", 400},       {"", 400},               {"chunked, chunked", 400},  {", chunked", 400},
        {"chunked,", 400},       {"\"chunked\"", 400},    {"chunked;q=1", 400},       {"xchunked", 400},
        {"chun ked", 400},
    };
    for (const auto& c : cases) EXPECT_EQ(rules::transfer_encoding_status(c.value), c.status) << c.value;
}

TEST(RequestRules, TeListsTrailers) {
    EXPECT_TRUE(rules::te_lists_trailers("trailers"));
    EXPECT_TRUE(rules::te_lists_trailers("TRAILERS"));
    EXPECT_TRUE(rules::te_lists_trailers("gzip;q=0.5, trailers"));
    EXPECT_TRUE(rules::te_lists_trailers(" trailers ,deflate"));
    EXPECT_FALSE(rules::te_lists_trailers(""));
    EXPECT_FALSE(rules::te_lists_trailers("gzip"));
    EXPECT_FALSE(rules::te_lists_trailers("xtrailers"));
    EXPECT_FALSE(rules::te_lists_trailers("trailers;q=1")); // "trailers" takes no parameters
}

TEST(RequestRules, BareLineEnds) {
    EXPECT_FALSE(rules::has_bare_cr_or_lf("GET / HTTP/1.1\r\nHost: a\r\n", 0));
    EXPECT_FALSE(rules::has_bare_cr_or_lf("GET / HTTP/1.1\r", 0)); // its LF may come next
    EXPECT_FALSE(rules::has_bare_cr_or_lf("\nX", '\r'));          // the CR came before
    EXPECT_TRUE(rules::has_bare_cr_or_lf("\nX", 0));
    EXPECT_TRUE(rules::has_bare_cr_or_lf("GET / HTTP/1.1\nHost", 0));
    EXPECT_TRUE(rules::has_bare_cr_or_lf("a\rb", 0));
    EXPECT_TRUE(rules::has_bare_cr_or_lf("a\r\r\n", 0));
}
