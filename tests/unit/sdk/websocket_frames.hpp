// tests/unit/sdk/websocket_frames.hpp: what a client puts on the wire (masked
// frames, built with the codec's own writer) and a reader of what the server
// sent (the codec's parser with masks not required), for the WebSocket tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hornet/sdk/websocket/frame.hpp"
#include "hornet/sdk/websocket/frame_parser.hpp"

namespace wstest {

using namespace hornet::sdk::websocket;

inline std::string client_frame(Opcode op, std::string_view payload, bool fin = true, bool rsv1 = false) {
    FrameHeader h;
    h.opcode = op;
    h.fin = fin;
    h.rsv1 = rsv1;
    h.mask = Mask{0x37, 0xfa, 0x21, 0x3d};
    std::string out;
    append_frame(out, h, payload);
    return out;
}

inline std::string close_frame(uint16_t code, std::string_view reason = {}) {
    std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    payload += reason;
    return client_frame(Opcode::close, payload);
}

struct SentFrame {
    FrameHeader header;
    std::string payload;
    uint16_t close_code() const {
        return payload.size() < 2 ? 0 : static_cast<uint16_t>(uint8_t(payload[0]) << 8 | uint8_t(payload[1]));
    }
};

// The server's frames in `wire`; fails the test if they are not well formed
// unmasked frames (a frame cut short at the end counts as not well formed).
inline std::vector<SentFrame> server_frames(std::string_view wire) {
    FrameParser parser(FrameParserOptions{true, false});
    std::vector<SentFrame> frames;
    std::string buf(wire.size(), '\0');
    size_t at = 0;
    for (;;) {
        size_t used = 0;
        auto step = parser.next(wire.substr(at), used, buf.data());
        at += used;
        if (step == FrameParser::Step::need_more) break;
        if (step == FrameParser::Step::error) {
            ADD_FAILURE() << "server sent a bad frame: " << parser.error_text();
            break;
        }
        if (step == FrameParser::Step::header) {
            frames.push_back({parser.header(), {}});
            if (parser.header().mask) ADD_FAILURE() << "server frame is masked";
        }
        if (step == FrameParser::Step::payload) frames.back().payload += parser.piece();
    }
    if (at != wire.size() || parser.in_payload()) ADD_FAILURE() << "server output ends inside a frame";
    return frames;
}

} // namespace wstest
