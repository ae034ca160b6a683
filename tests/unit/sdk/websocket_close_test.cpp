// tests/unit/sdk/websocket_close_test.cpp: close payloads (RFC 6455 §5.5.1,
// §7.4): which codes a peer may send, and the payload we build.
#include <gtest/gtest.h>

#include <string>

#include "hornet/sdk/websocket/close.hpp"
#include "hornet/sdk/websocket/frame.hpp"

using namespace hornet::sdk::websocket;

namespace {

std::string payload(uint16_t code, std::string_view reason = {}) {
    std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    return p += reason;
}

} // namespace

TEST(WebSocketClose, EmptyIsNoStatus) {
    CloseParse c = parse_close_payload("");
    EXPECT_TRUE(c.ok);
    EXPECT_EQ(c.code, close_code::no_status);
}

TEST(WebSocketClose, OneByteIs1002) {
    CloseParse c = parse_close_payload(std::string_view("\x03", 1));
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.error, close_code::protocol_error);
}

TEST(WebSocketClose, CodeValidity) {
    for (uint16_t ok : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
        CloseParse c = parse_close_payload(payload(ok, "bye"));
        EXPECT_TRUE(c.ok) << ok;
        EXPECT_EQ(c.code, ok);
        EXPECT_EQ(c.reason, "bye");
    }
    for (uint16_t bad : {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
        CloseParse c = parse_close_payload(payload(bad));
        EXPECT_FALSE(c.ok) << bad;
        EXPECT_EQ(c.error, close_code::protocol_error) << bad;
    }
}

TEST(WebSocketClose, ReasonMustBeUtf8) {
    CloseParse c = parse_close_payload(payload(1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"));
    EXPECT_TRUE(c.ok);
    c = parse_close_payload(payload(1000, "ok \xed\xa0\x80"));
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.error, close_code::invalid_payload);
}

TEST(WebSocketClose, BuildsPayloadsThatFitAControlFrame) {
    EXPECT_EQ(close_payload(1000, "bye"), payload(1000, "bye"));
    EXPECT_EQ(close_payload(close_code::no_status, "ignored"), "");
    std::string long_reason(200, 'x');
    EXPECT_EQ(close_payload(1001, long_reason).size(), max_control_payload);
    // Cut at a code point boundary: 122 ASCII bytes then a 2-byte letter
    // would end at 124 + 2 > 125, so the letter goes.
    std::string mixed = std::string(122, 'a') + "\xc3\xa9" + "zz";
    std::string p = close_payload(1000, mixed);
    EXPECT_EQ(p.size(), 2u + 122u);
    EXPECT_TRUE(parse_close_payload(p).ok);
}
