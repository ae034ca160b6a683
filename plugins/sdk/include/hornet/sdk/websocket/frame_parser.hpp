// hornet/sdk/websocket/frame_parser.hpp: the incremental frame parser of a
// server's input (RFC 6455 §5.2), sans I/O.
//
// It turns bytes, however they are split (one at a time is fine), into frame
// headers and unmasked payload pieces, and checks the framing rules that need
// no message context: reserved bits (RSV1 only when permessage-deflate is on,
// and never on control or continuation frames), unknown opcodes, unmasked
// client frames, the 64-bit length's MSB, control frames over 125 bytes or
// fragmented, continuation without a started message, a new data frame in
// the middle of a fragmented one (control frames between fragments are
// fine). Violations give 1002. It keeps at most a 14-byte partial header;
// payload bytes are never buffered here. The session drives it; a worker type
// normally does not use it directly. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hornet/sdk/websocket/frame.hpp"

namespace hornet::sdk::websocket {

struct FrameParserOptions {
    bool allow_rsv1 = false;     // permessage-deflate negotiated
    bool require_mask = true;    // we are the server: client frames are masked
};

class FrameParser {
public:
    enum class Step {
        need_more, // all input used; feed more
        header,    // header() is the next frame's header
        payload,   // piece() holds the next unmasked payload bytes of the frame
        frame_end, // the current frame's payload is complete (also after an empty one)
        error,     // error_code()/error_text(); the parser stays failed
    };

    explicit FrameParser(FrameParserOptions options = {});

    // Parse from `in`; `consumed` gets the bytes used. Payload bytes are
    // copied unmasked to `dest`, which needs room for
    // min(in.size(), payload_left()) bytes when the parser is inside a
    // payload (header() was returned), and piece() views them there: the
    // input itself is const, and the caller picks where the payload lands
    // (its message buffer), so unmasking is the only copy.
    Step next(std::string_view in, size_t& consumed, char* dest);
    // Inside a payload: next() will return payload or frame_end.
    bool in_payload() const { return state_ == State::payload; }

    const FrameHeader& header() const { return header_; }
    std::string_view piece() const { return piece_; }
    uint64_t payload_left() const { return left_; }
    // A data message was started (first frame without FIN) and not finished.
    bool in_fragmented_message() const { return in_message_; }

    uint16_t error_code() const { return error_code_; }
    const char* error_text() const { return error_text_; }

    void set_allow_rsv1(bool allow) { options_.allow_rsv1 = allow; }

private:
    Step fail(uint16_t code, const char* text);
    Step parse_header(std::string_view in, size_t& consumed);
    Step decode_header();
    Step check_header();
    Step take_payload(std::string_view in, size_t& consumed, char* dest);

    FrameParserOptions options_;
    FrameHeader header_;
    std::string_view piece_;
    uint64_t left_ = 0;
    uint64_t offset_ = 0; // payload bytes of this frame already unmasked
    uint8_t head_[max_frame_header];
    uint8_t head_len_ = 0;
    enum class State : uint8_t { header, payload, failed } state_ = State::header;
    bool in_message_ = false;
    uint16_t error_code_ = 0;
    const char* error_text_ = "";
};

} // namespace hornet::sdk::websocket
