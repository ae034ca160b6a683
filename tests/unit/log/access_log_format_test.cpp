// tests/unit/log/access_log_format_test.cpp: every atom of access_log_format
// (core/log/access_log_format.hpp), escaping, and the format's errors.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "config/config.hpp"
#include "log/access_log_format.hpp"
#include "sample_record.hpp"

namespace hornet {
namespace {

using test::s;

// The sample record, with this test's own request headers.
struct Record : test::SampleRecord {
    Record() : SampleRecord({{s("X-Trace"), s("t\x01")}}) {}
};

std::string format(std::string_view fmt, const hornet_access_record_t& r) {
    std::string line;
    AccessLogFormat(fmt).append(line, r);
    return line;
}

} // namespace

TEST(AccessLogFormat, EveryAtom) {
    Record rec;
    std::string pid = "<"; // (not "<" + ... + ">": g++ 12 -Wrestrict misfires on that)
    pid.append(std::to_string(::getpid())).append(">");
    const struct {
        const char* atom;
        std::string want;
    } cases[] = {
        {"%(h)s", "10.0.0.7"},     {"%(l)s", "-"},        {"%(u)s", "alice"},
        {"%(r)s", "GET /p?q=1 HTTP/1.1"}, {"%(m)s", "GET"}, {"%(U)s", "/p"},
        {"%(q)s", "q=1"},          {"%(H)s", "HTTP/1.1"}, {"%(s)s", "200"},
        {"%(B)s", "1234"},         {"%(b)s", "1234"},     {"%(f)s", "http://ref/"},
        {"%(a)s", "agent \\\"x\\\"\\\\y"}, {"%(p)s", pid},  {"%(T)s", "0"},
        {"%(M)s", "1"},            {"%(D)s", "1500"},     {"%(L)s", "0.001500"},
        {"%({x-trace}i)s", "t\\x01"}, {"%({X-TRACE}i)s", "t\\x01"}, {"%({content-type}o)s", "text/html"},
        {"%({absent}i)s", "-"},    {"%({absent}o)s", "-"}, {"100%%", "100%"},
        {"plain text", "plain text"}, {"", ""},
    };
    for (const auto& c : cases) EXPECT_EQ(format(c.atom, rec.record), c.want) << c.atom;
    const std::string t = format("%(t)s", rec.record); // [27/Nov/2026:10:00:00 +0000]
    EXPECT_TRUE(t.size() == 28 && t.front() == '[' && t.back() == ']') << t;
}

TEST(AccessLogFormat, GunicornsDefaultLine) {
    Record rec;
    const std::string line = format(kDefaultAccessLogFormat, rec.record);
    const std::string tail = " \"GET /p?q=1 HTTP/1.1\" 200 1234 \"http://ref/\" \"agent \\\"x\\\"\\\\y\"";
    EXPECT_EQ(line.rfind("10.0.0.7 - alice [", 0), 0u) << line;
    EXPECT_EQ(line.substr(line.size() - tail.size()), tail) << line;
    EXPECT_EQ(Config{}.access_log_format, kDefaultAccessLogFormat);
}

TEST(AccessLogFormat, RefusedHeadAndOddValues) {
    Record rec;
    rec.record.request = nullptr; // the head did not parse
    rec.record.request_line = s("GET /\x1b[2J HTTP/1.1");
    rec.record.status = 400;
    EXPECT_EQ(format("%(m)s %(U)s %(q)s %(H)s %(u)s %(f)s|%(r)s", rec.record), "- - - - - -|GET /\\x1b[2J HTTP/1.1");
    Record empty;
    empty.request.query = s("");
    empty.record.body_bytes = 0;
    empty.record.peer_host = s("");
    empty.request.header_count = 0;
    EXPECT_EQ(format("[%(q)s] %(b)s %(B)s %(h)s %(u)s", empty.record), "[] 0 0 - -");
    empty.request_headers[0] = {s("Authorization"), s("Bearer abc")};
    empty.request.header_count = 1;
    EXPECT_EQ(format("%(u)s", empty.record), "-");
}

TEST(AccessLogFormat, TlsAtomsAsModSslNamesThem) {
    Record rec;
    const char* fmt = "%({https}e)s %({ssl_protocol}e)s %({SSL_CIPHER}e)s \"%({ssl_client_s_dn}e)s\" %({ssl_client_verify}e)s";
    EXPECT_EQ(format(fmt, rec.record), "- - - \"-\" -"); // plain HTTP
    rec.request.head.struct_size = sizeof(hornet_request_t);
    rec.request.tls_protocol = s("TLSv1.3");
    rec.request.tls_cipher = s("TLS_AES_128_GCM_SHA256");
    EXPECT_EQ(format(fmt, rec.record), "on TLSv1.3 TLS_AES_128_GCM_SHA256 \"-\" NONE");
    rec.request.tls_client_subject = s("CN=client \"one\",O=x");
    EXPECT_EQ(format(fmt, rec.record), "on TLSv1.3 TLS_AES_128_GCM_SHA256 \"CN=client \\\"one\\\",O=x\" SUCCESS");
    rec.request.head.struct_size = offsetof(hornet_request_t, tls_protocol); // an ABI 1.4 worker type
    EXPECT_EQ(format(fmt, rec.record), "- - - \"-\" -");
}

TEST(AccessLogFormat, ErrorsNameTheAtom) {
    for (const char* bad : {"%(x)s", "%(h)", "%h", "50%", "%(hh)s", "%({x}e)s", "%({ssl_client_cert}e)s", "%(h)d"}) {
        try {
            AccessLogFormat f(bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find('%'), std::string::npos) << e.what();
        }
    }
}

} // namespace hornet
