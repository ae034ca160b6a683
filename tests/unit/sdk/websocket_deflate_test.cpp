// tests/unit/sdk/websocket_deflate_test.cpp: permessage-deflate's compressor
// and decompressor (RFC 7692 §7.2): the RFC's examples, context takeover on
// and off, and a deflate bomb that must stop at the limit.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "hornet/sdk/websocket/deflate.hpp"

using namespace hornet::sdk::websocket;

namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s.push_back(static_cast<char>(b));
    return s;
}

std::string inflate_all(Decompressor& d, std::string_view data, size_t limit = 1 << 20) {
    std::string out;
    EXPECT_EQ(d.decompress(data, true, out, limit), InflateResult::ok);
    return out;
}

} // namespace

TEST(WebSocketDeflate, RfcExamples) {
    // §7.2.3.1: "Hello" in one compressed message; §7.2.3.2: the same again
    // with the context taken over is shorter.
    Decompressor d(15, false);
    EXPECT_EQ(inflate_all(d, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
    EXPECT_EQ(inflate_all(d, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");
    Compressor c(15, 6, false);
    std::string out;
    ASSERT_TRUE(c.compress("Hello", true, out));
    EXPECT_EQ(out, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
    // §7.2.3.6: an empty message is one 0x00 byte.
    Compressor e(15, 6, false);
    out.clear();
    ASSERT_TRUE(e.compress("", true, out));
    EXPECT_EQ(out, bytes({0x00}));
}

TEST(WebSocketDeflate, RoundTripsAndDropsTheTail) {
    // Random letters: deflate gains only from the 26-letter alphabet, unless
    // the context holds the same text already (the second message).
    std::string text;
    uint32_t x = 12345;
    while (text.size() < 8000) {
        x = x * 1103515245 + 12345;
        text += static_cast<char>('a' + (x >> 16) % 26);
    }
    for (bool no_takeover : {false, true}) {
        Compressor c(15, 6, no_takeover);
        Decompressor d(15, no_takeover);
        std::string first, second;
        ASSERT_TRUE(c.compress(text, true, first));
        ASSERT_TRUE(c.compress(text, true, second));
        ASSERT_GE(first.size(), 4u);
        EXPECT_NE(first.substr(first.size() - 4), bytes({0, 0, 0xff, 0xff}));
        EXPECT_LT(first.size(), text.size() * 3 / 4);
        EXPECT_EQ(inflate_all(d, first), text);
        EXPECT_EQ(inflate_all(d, second), text);
        if (no_takeover) EXPECT_EQ(second, first) << "each message on its own";
        else EXPECT_LT(second.size(), first.size() / 4) << "the second refers to the first";
    }
}

TEST(WebSocketDeflate, WithoutTakeoverEachMessageInflatesAlone) {
    Compressor c(15, 1, true);
    std::string a, b;
    ASSERT_TRUE(c.compress("abcabcabcabc", true, a));
    ASSERT_TRUE(c.compress("abcabcabcabc", true, b));
    Decompressor fresh(15, true);
    EXPECT_EQ(inflate_all(fresh, b), "abcabcabcabc");
}

TEST(WebSocketDeflate, FragmentsOfOneMessage) {
    Compressor c(12, 1, false);
    std::string wire;
    ASSERT_TRUE(c.compress("first half, ", false, wire));
    size_t cut = wire.size();
    ASSERT_TRUE(c.compress("second half", true, wire));
    Decompressor d(12, false);
    std::string out;
    EXPECT_EQ(d.decompress(std::string_view(wire).substr(0, cut), false, out, 1000), InflateResult::ok);
    EXPECT_EQ(out, "first half, "); // the sync flush let the first piece out at once
    EXPECT_EQ(d.decompress(std::string_view(wire).substr(cut), true, out, 1000), InflateResult::ok);
    EXPECT_EQ(out, "first half, second half");
}

TEST(WebSocketDeflate, FinalBlockInsideAMessage) {
    // A peer may end a message's data with BFINAL set (Z_FINISH); the
    // appended tail then follows a finished stream.
    z_stream zs{};
    ASSERT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string in = "finished stream", out(256, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    Decompressor d(15, false);
    EXPECT_EQ(inflate_all(d, out), in);
    EXPECT_EQ(inflate_all(d, out), in);
    // With context takeover the next message may refer back to this one:
    // the window survives zlib's stream end.
    Compressor c(15, 6, false);
    std::string warm, again;
    ASSERT_TRUE(c.compress(in, true, warm));
    ASSERT_TRUE(c.compress(in, true, again));
    Decompressor e(15, false);
    EXPECT_EQ(inflate_all(e, out), in);
    EXPECT_EQ(inflate_all(e, again), in) << "refers to the first message's window";
}

TEST(WebSocketDeflate, BombStopsAtTheLimit) {
    std::string zeros(64 << 20, '\0');
    Compressor c(15, 1, false);
    std::string bomb;
    ASSERT_TRUE(c.compress(zeros, true, bomb));
    ASSERT_LT(bomb.size(), 512u * 1024);
    const size_t limit = 1 << 20;
    Decompressor d(15, false);
    std::string out;
    EXPECT_EQ(d.decompress(bomb, true, out, limit), InflateResult::too_big);
    EXPECT_LE(out.size(), limit);
    EXPECT_LE(out.capacity(), limit) << "never allocates past the limit";
    // Exactly at the limit is fine.
    Compressor c2(15, 9, false);
    std::string exact;
    ASSERT_TRUE(c2.compress(std::string(limit, 'z'), true, exact));
    Decompressor d2(15, false);
    out.clear();
    EXPECT_EQ(d2.decompress(exact, true, out, limit), InflateResult::ok);
    EXPECT_EQ(out.size(), limit);
    std::string one_over;
    Compressor c3(15, 9, false);
    ASSERT_TRUE(c3.compress(std::string(limit + 1, 'z'), true, one_over));
    Decompressor d3(15, false);
    out.clear();
    EXPECT_EQ(d3.decompress(one_over, true, out, limit), InflateResult::too_big);
}

TEST(WebSocketDeflate, CorruptInput) {
    Decompressor d(15, false);
    std::string out;
    EXPECT_EQ(d.decompress(bytes({0xff, 0xff, 0xff, 0xff, 0xff}), true, out, 1000), InflateResult::corrupt);
}

TEST(WebSocketDeflate, MemoryOnlyWhileUsed) {
    Compressor c(15, 1, true);
    Decompressor d(15, true);
    EXPECT_FALSE(c.holds_memory());
    EXPECT_EQ(c.memory_used(), 0u);
    std::string wire;
    ASSERT_TRUE(c.compress("some text to compress", true, wire));
    EXPECT_GT(c.memory_used(), 100u * 1024) << "a 15-bit compressor is big: the reason to release it";
    EXPECT_EQ(inflate_all(d, wire), "some text to compress");
    EXPECT_GT(d.memory_used(), 32u * 1024);
    c.release();
    d.release();
    EXPECT_EQ(c.memory_used(), 0u);
    EXPECT_EQ(d.memory_used(), 0u);
    wire.clear();
    ASSERT_TRUE(c.compress("again", true, wire)); // a fresh stream after release
    EXPECT_EQ(inflate_all(d, wire), "again");
}
