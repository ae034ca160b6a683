// The HTTP settings of issue 6: timeouts, proxies, access_log_format
// (core/config/settings.cpp rows, ip_entry.cpp, the header-map codec).
#include <gtest/gtest.h>

#include <sstream>

#include "test_support.hpp"

namespace hornet {
namespace {

using namespace std::chrono_literals;
using test::file_error;
using test::load_file;
using test::run;
using test::TempDir;

std::string cli_error(std::vector<std::string> args) {
    args.push_back("hello");
    return run(args).err;
}

} // namespace

TEST(HttpSettings, GunicornDefaults) {
    const Config c;
    EXPECT_EQ(c.header_timeout, 30s);
    EXPECT_EQ(c.body_timeout, 30s);
    EXPECT_EQ(c.forwarded_allow_ips, (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_EQ(c.proxy_allow_ips, (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_FALSE(c.proxy_protocol);
    ASSERT_EQ(c.secure_scheme_headers.size(), 3u);
    EXPECT_EQ(c.secure_scheme_headers[1], (std::pair<std::string, std::string>{"X-FORWARDED-PROTO", "https"}));
}

TEST(HttpSettings, FromTheCommandLineAndEnvironment) {
    auto o = run({"--header-timeout", "1500ms", "--body-timeout", "0", "--forwarded-allow-ips", "*",
                  "--proxy-protocol", "--proxy-allow-ips", "10.0.0.0/8, fd00::/8", "--access-log-format",
                  "%(h)s %(D)s", "hello"},
                 {"HORNET_FORWARDED_ALLOW_IPS=192.0.2.1"});
    ASSERT_TRUE(o.inv) << o.err;
    const Config& c = o.inv->config;
    EXPECT_EQ(c.header_timeout, 1500ms);
    EXPECT_EQ(c.body_timeout, 0ms);
    EXPECT_EQ(c.forwarded_allow_ips, std::vector<std::string>{"*"});
    EXPECT_TRUE(c.proxy_protocol);
    EXPECT_EQ(c.proxy_allow_ips, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8"}));
    EXPECT_EQ(c.access_log_format, "%(h)s %(D)s");
}

TEST(HttpSettings, BadValuesAreOneLine) {
    EXPECT_NE(cli_error({"--forwarded-allow-ips", "10.0.0.0/33"}).find("expected an IP address"), std::string::npos);
    EXPECT_NE(cli_error({"--proxy-allow-ips", "localhost"}).find("got 'localhost'"), std::string::npos);
    EXPECT_NE(cli_error({"--access-log-format", "%(h)s %(zz)s"}).find("unknown atom %(zz)s"), std::string::npos);
    EXPECT_NE(cli_error({"--header-timeout", "soon"}).find("header-timeout"), std::string::npos);
}

TEST(HttpSettings, SecureSchemeHeadersFromYaml) {
    TempDir dir;
    Config c = load_file(dir, "secure_scheme_headers:\n  X-Scheme: https\n  Front-End-Https: 'on'\n");
    ASSERT_EQ(c.secure_scheme_headers.size(), 2u);
    EXPECT_EQ(c.secure_scheme_headers[0].first, "X-Scheme");
    EXPECT_EQ(c.secure_scheme_headers[1].second, "on");
    EXPECT_TRUE(load_file(dir, "secure_scheme_headers:\n").secure_scheme_headers.empty()); // none: never https
    EXPECT_NE(file_error(dir, "secure_scheme_headers:\n  'Bad Name': https\n").find("is not a header name"),
              std::string::npos);
    EXPECT_NE(file_error(dir, "secure_scheme_headers: [a, b]\n").find("expected a map"), std::string::npos);
    EXPECT_NE(file_error(dir, "forwarded_allow_ips: [127.0.0.1, nope]\n").find(":1:34: 'forwarded_allow_ips'"), std::string::npos);
}

} // namespace hornet
