// tests/unit/sdk/websocket_utf8_test.cpp: streaming UTF-8 validation: valid
// text split anywhere, and each kind of invalid input failing at the first
// byte that proves it (Autobahn 6.x).
#include <gtest/gtest.h>

#include <string>

#include "hornet/sdk/websocket/utf8.hpp"

using hornet::sdk::websocket::is_valid_utf8;
using hornet::sdk::websocket::Utf8Validator;

TEST(WebSocketUtf8, ValidTextSplitAnywhere) {
    const std::string text = "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!! "
                             "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf";
    ASSERT_TRUE(is_valid_utf8(text));
    for (size_t cut = 0; cut <= text.size(); ++cut) {
        Utf8Validator v;
        EXPECT_TRUE(v.feed(text.substr(0, cut))) << cut;
        EXPECT_TRUE(v.feed(text.substr(cut))) << cut;
        EXPECT_TRUE(v.complete()) << cut;
    }
    Utf8Validator bytewise;
    for (char c : text) ASSERT_TRUE(bytewise.feed(std::string_view(&c, 1)));
    EXPECT_TRUE(bytewise.complete());
}

TEST(WebSocketUtf8, Invalid) {
    for (const char* bad : {
             "\x80",                 // lone continuation
             "\xbf",                 //
             "\xc0\xaf",             // overlong '/'
             "\xc1\xbf",             // overlong
             "\xe0\x80\xaf",         // overlong, 3 bytes
             "\xe0\x9f\xbf",         // overlong, 3 bytes, highest
             "\xf0\x80\x80\xaf",     // overlong, 4 bytes
             "\xf0\x8f\xbf\xbf",     //
             "\xed\xa0\x80",         // U+D800 surrogate
             "\xed\xbf\xbf",         // U+DFFF
             "\xf4\x90\x80\x80",     // U+110000
             "\xf5\x80\x80\x80",     // past U+10FFFF
             "\xf8\x88\x80\x80\x80", // 5-byte form
             "\xfe", "\xff",         //
             "\xc2\x41",             // lead without its continuation
             "\xe1\x80\x41",         //
         })
        EXPECT_FALSE(is_valid_utf8(bad)) << testing::PrintToString(std::string(bad));
}

TEST(WebSocketUtf8, FailsAsSoonAsCertain) {
    // Autobahn 6.4.1: the first bytes are valid, then U+110000 starts: the
    // second byte (0x90 after 0xF4) already proves it, before the rest.
    Utf8Validator v;
    EXPECT_TRUE(v.feed("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"));
    EXPECT_TRUE(v.feed("\xf4"));
    EXPECT_FALSE(v.feed("\x90"));
    EXPECT_TRUE(v.failed());
    EXPECT_FALSE(v.feed("\x80\x80")); // stays failed
    // A surrogate is certain at its second byte, an overlong 4-byte form too.
    Utf8Validator s;
    EXPECT_TRUE(s.feed("\xed"));
    EXPECT_FALSE(s.feed("\xa0"));
    Utf8Validator o;
    EXPECT_TRUE(o.feed("\xf0"));
    EXPECT_FALSE(o.feed("\x8f"));
}

TEST(WebSocketUtf8, IncompleteAtTheEnd) {
    Utf8Validator v;
    EXPECT_TRUE(v.feed("ab\xe2\x82"));
    EXPECT_FALSE(v.complete());
    EXPECT_FALSE(v.failed());
    EXPECT_TRUE(v.feed("\xac"));
    EXPECT_TRUE(v.complete());
    EXPECT_FALSE(is_valid_utf8("\xf0\x9f\x98"));
    v.reset();
    EXPECT_TRUE(v.complete());
}

TEST(WebSocketUtf8, LongAsciiRunsAndAnInvalidByteAfterThem) {
    std::string text(1000, 'a');
    EXPECT_TRUE(is_valid_utf8(text));
    for (size_t at : {0u, 7u, 8u, 9u, 500u, 999u}) {
        std::string bad = text;
        bad[at] = '\xff';
        EXPECT_FALSE(is_valid_utf8(bad)) << at;
    }
}
