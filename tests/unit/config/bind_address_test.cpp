// Bind entry syntax (core/config/bind_address.cpp).
#include <gtest/gtest.h>

#include "config/bind_address.hpp"
#include "config/config_error.hpp"

namespace hornet {
namespace {

TEST(BindAddress, Ipv4) {
    BindAddress a = parse_bind("127.0.0.1:8000");
    EXPECT_EQ(a.kind, BindAddress::Kind::tcp);
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 8000);
    EXPECT_EQ(a.text(), "127.0.0.1:8000");
}

TEST(BindAddress, PortZeroIsEphemeral) { EXPECT_EQ(parse_bind("127.0.0.1:0").port, 0); }

TEST(BindAddress, Ipv6InBrackets) {
    BindAddress a = parse_bind("[::1]:9000");
    EXPECT_EQ(a.host, "::1");
    EXPECT_EQ(a.port, 9000);
    EXPECT_EQ(a.text(), "[::1]:9000");
}

TEST(BindAddress, UnixSocket) {
    BindAddress a = parse_bind("unix:/run/hornet.sock");
    EXPECT_EQ(a.kind, BindAddress::Kind::unix_socket);
    EXPECT_EQ(a.path, "/run/hornet.sock");
    EXPECT_EQ(a.text(), "unix:/run/hornet.sock");
}

TEST(BindAddress, ShorthandsAreNormalized) {
    EXPECT_EQ(parse_bind(":8080").text(), "0.0.0.0:8080");
    EXPECT_EQ(parse_bind("127.0.0.1").text(), "127.0.0.1:8000");
    EXPECT_EQ(parse_bind("localhost:81").text(), "localhost:81");
    EXPECT_EQ(parse_bind("[::]").text(), "[::]:8000");
}

TEST(BindAddress, BadSyntax) {
    for (const char* bad : {"", "127.0.0.1:65536", "127.0.0.1:http", "127.0.0.1:", "::1:80", "[::1", "[::1]80",
                            "[nothost]:80", "unix:", "300.1.1.1:80", "8000", "bad_host!:80", "-a.com:80"}) {
        EXPECT_THROW(parse_bind(bad), ValueError) << bad;
    }
}

TEST(BindAddress, MessagesSayWhatToDo) {
    try {
        parse_bind("::1:80");
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "bad bind address '::1:80': write IPv6 addresses in brackets, e.g. [::1]:8000");
    }
}

} // namespace
} // namespace hornet
