// tests/unit/sdk/websocket_frame_test.cpp: the frame writer's encodings and
// the incremental parser's RFC 6455 §5 rules, each with the input that
// breaks it.
#include <gtest/gtest.h>

#include <string>

#include "websocket_frames.hpp"

using namespace hornet::sdk::websocket;
using wstest::client_frame;
using Step = FrameParser::Step;

namespace {

std::string header_bytes(FrameHeader h) {
    char buf[max_frame_header];
    size_t n = write_frame_header(h, buf);
    EXPECT_EQ(n, frame_header_size(h));
    return std::string(buf, n);
}

// Feeds `wire` whole or a byte at a time; returns the last step and fills
// the payload seen.
Step parse_all(std::string_view wire, bool bytewise, std::string* payload = nullptr, FrameParserOptions o = {},
               FrameParser* out_parser = nullptr) {
    FrameParser local(o);
    FrameParser& p = out_parser ? *out_parser : local;
    std::string buf(wire.size() + 1, '\0');
    size_t at = 0;
    Step last = Step::need_more;
    while (at <= wire.size()) {
        size_t end = bytewise ? std::min(at + 1, wire.size()) : wire.size();
        size_t used = 0;
        last = p.next(wire.substr(at, end - at), used, buf.data());
        at += used;
        if (last == Step::error) return last;
        if (last == Step::payload && payload) *payload += p.piece();
        if (last == Step::need_more && at == wire.size()) return last;
    }
    return last;
}

// The error code parsing `wire` ends with (0: none), the same whole and
// byte at a time.
uint16_t error_of(std::string_view wire, FrameParserOptions o = {}) {
    uint16_t codes[2] = {};
    for (int bytewise = 0; bytewise < 2; ++bytewise) {
        FrameParser p(o);
        if (parse_all(wire, bytewise != 0, nullptr, o, &p) == Step::error) codes[bytewise] = p.error_code();
    }
    EXPECT_EQ(codes[0], codes[1]) << "whole vs byte at a time";
    return codes[0];
}

} // namespace

TEST(WebSocketFrameWriter, LengthEncodings) {
    FrameHeader h;
    h.opcode = Opcode::binary;
    h.length = 125;
    EXPECT_EQ(header_bytes(h), std::string("\x82\x7d", 2));
    h.length = 126;
    EXPECT_EQ(header_bytes(h), std::string("\x82\x7e\x00\x7e", 4));
    h.length = 65535;
    EXPECT_EQ(header_bytes(h), std::string("\x82\x7e\xff\xff", 4));
    h.length = 65536;
    EXPECT_EQ(header_bytes(h), std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
    h.fin = false;
    h.rsv1 = true;
    h.opcode = Opcode::text;
    h.length = 0;
    EXPECT_EQ(header_bytes(h), std::string("\x41\x00", 2));
}

TEST(WebSocketFrameWriter, ServerFramesAreUnmaskedClientFramesMasked) {
    std::string out;
    append_frame(out, FrameHeader{}, "Hello");
    EXPECT_EQ(out, std::string("\x81\x05Hello", 7)); // RFC 6455 §5.7
    out.clear();
    FrameHeader h;
    h.mask = Mask{0x37, 0xfa, 0x21, 0x3d};
    append_frame(out, h, "Hello");
    EXPECT_EQ(out, std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11)); // §5.7
}

TEST(WebSocketFrameWriter, MaskInPiecesMatchesMaskWhole) {
    Mask m{1, 2, 3, 4};
    std::string data(100, 'x');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
    std::string whole = data, pieces = data;
    apply_mask(whole.data(), whole.size(), m, 0);
    apply_mask(pieces.data(), 3, m, 0);
    apply_mask(pieces.data() + 3, 50, m, 3);
    apply_mask(pieces.data() + 53, 47, m, 53);
    EXPECT_EQ(whole, pieces);
    apply_mask(whole.data(), whole.size(), m, 0);
    EXPECT_EQ(whole, data);
}

TEST(WebSocketFrameParser, ParsesWholeAndByteAtATime) {
    for (size_t len : {0u, 5u, 125u, 126u, 65535u, 65536u, 70000u}) {
        std::string payload(len, '\0');
        for (size_t i = 0; i < len; ++i) payload[i] = static_cast<char>('a' + i % 26);
        std::string wire = client_frame(Opcode::binary, payload);
        for (bool bytewise : {false, true}) {
            if (bytewise && len > 70000) continue;
            std::string seen;
            FrameParser p;
            parse_all(wire, bytewise, &seen, {}, &p);
            EXPECT_EQ(seen, payload) << len << (bytewise ? " bytewise" : "");
            EXPECT_EQ(p.header().length, len);
            EXPECT_EQ(p.header().opcode, Opcode::binary);
            EXPECT_FALSE(p.in_payload());
        }
    }
}

TEST(WebSocketFrameParser, NonMinimalLengthsAreAllowed) {
    // 5 bytes said with the 16-bit and the 64-bit form: legal (RFC 6455 §5.2
    // asks senders for the minimal form but does not make receivers fail).
    for (std::string head : {std::string("\x82\xfe\x00\x05", 4), std::string("\x82\xff\0\0\0\0\0\0\0\x05", 10)}) {
        std::string wire = head + std::string("\0\0\0\0", 4) + "abcde";
        std::string seen;
        EXPECT_NE(parse_all(wire, true, &seen), Step::error);
        EXPECT_EQ(seen, "abcde");
    }
}

TEST(WebSocketFrameParser, FramingErrorsAre1002) {
    std::string unmasked("\x81\x02hi", 4);
    EXPECT_EQ(error_of(unmasked), close_code::protocol_error);
    for (uint8_t op : {3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf}) {
        std::string wire = client_frame(Opcode::binary, "x");
        wire[0] = static_cast<char>(0x80 | op);
        EXPECT_EQ(error_of(wire), close_code::protocol_error) << int(op);
    }
    for (uint8_t rsv : {0x20, 0x10}) {
        std::string wire = client_frame(Opcode::text, "x");
        wire[0] = static_cast<char>(wire[0] | rsv);
        EXPECT_EQ(error_of(wire), close_code::protocol_error) << int(rsv);
    }
    // RSV1: only with deflate, and then only on a data message's first frame.
    EXPECT_EQ(error_of(client_frame(Opcode::text, "x", true, true)), close_code::protocol_error);
    FrameParserOptions deflate{true, true};
    EXPECT_EQ(error_of(client_frame(Opcode::text, "x", true, true), deflate), 0);
    EXPECT_EQ(error_of(client_frame(Opcode::ping, "x", true, true), deflate), close_code::protocol_error);
    EXPECT_EQ(error_of(client_frame(Opcode::text, "x", false, true) + client_frame(Opcode::continuation, "y", true, true),
                       deflate),
              close_code::protocol_error);
    // Control frames: at most 125 bytes, never fragmented.
    EXPECT_EQ(error_of(client_frame(Opcode::ping, std::string(125, 'p'))), 0);
    EXPECT_EQ(error_of(client_frame(Opcode::ping, std::string(126, 'p'))), close_code::protocol_error);
    EXPECT_EQ(error_of(client_frame(Opcode::close, std::string(126, 'c'))), close_code::protocol_error);
    EXPECT_EQ(error_of(client_frame(Opcode::pong, "x", false)), close_code::protocol_error);
    // The 64-bit length's most significant bit.
    std::string huge("\x82\xff\x80\0\0\0\0\0\0\x01\0\0\0\0", 14);
    EXPECT_EQ(error_of(huge), close_code::protocol_error);
}

TEST(WebSocketFrameParser, FragmentationOrder) {
    EXPECT_EQ(error_of(client_frame(Opcode::continuation, "x")), close_code::protocol_error);
    EXPECT_EQ(error_of(client_frame(Opcode::text, "a", false) + client_frame(Opcode::text, "b")),
              close_code::protocol_error);
    EXPECT_EQ(error_of(client_frame(Opcode::binary, "a", false) + client_frame(Opcode::text, "b")),
              close_code::protocol_error);
    // Control frames between fragments are fine; a finished message lets
    // a new one start.
    std::string ok = client_frame(Opcode::text, "a", false) + client_frame(Opcode::ping, "p") +
                     client_frame(Opcode::continuation, "b", false) + client_frame(Opcode::pong, "") +
                     client_frame(Opcode::continuation, "c") + client_frame(Opcode::binary, "d");
    EXPECT_EQ(error_of(ok), 0);
    EXPECT_EQ(error_of(ok + client_frame(Opcode::continuation, "e")), close_code::protocol_error);
}

TEST(WebSocketFrameParser, TracksAFragmentedMessage) {
    FrameParser p;
    std::string wire = client_frame(Opcode::text, "a", false);
    parse_all(wire, false, nullptr, {}, &p);
    EXPECT_TRUE(p.in_fragmented_message());
    parse_all(client_frame(Opcode::continuation, "b"), false, nullptr, {}, &p);
    EXPECT_FALSE(p.in_fragmented_message());
}

TEST(WebSocketFrameParser, StaysFailed) {
    FrameParser p;
    std::string bad("\x81\x02hi", 4);
    EXPECT_EQ(parse_all(bad, false, nullptr, {}, &p), Step::error);
    size_t used = 1;
    char buf[16];
    EXPECT_EQ(p.next(client_frame(Opcode::text, "ok"), used, buf), Step::error);
    EXPECT_EQ(used, 0u);
    EXPECT_STRNE(p.error_text(), "");
}
