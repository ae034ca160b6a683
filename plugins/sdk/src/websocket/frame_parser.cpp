// The incremental frame parser: a header is collected in a 14-byte array
// (it may arrive a byte at a time), checked against RFC 6455 §5's rules, and
// then the payload is unmasked straight into the caller's buffer.
#include "hornet/sdk/websocket/frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace hornet::sdk::websocket {

namespace {

bool known_opcode(uint8_t op) {
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

// Header bytes needed, given the ones so far (at least 2 known).
size_t header_size(const uint8_t* head) {
    size_t n = 2;
    uint8_t len7 = head[1] & 0x7F;
    if (len7 == 126) n += 2;
    else if (len7 == 127) n += 8;
    return (head[1] & 0x80) ? n + 4 : n;
}

} // namespace

FrameParser::FrameParser(FrameParserOptions options) : options_(options) {}

FrameParser::Step FrameParser::next(std::string_view in, size_t& consumed, char* dest) {
    consumed = 0;
    piece_ = {};
    switch (state_) {
    case State::failed: return Step::error;
    case State::header: return parse_header(in, consumed);
    case State::payload: return take_payload(in, consumed, dest);
    }
    return Step::error;
}

FrameParser::Step FrameParser::parse_header(std::string_view in, size_t& consumed) {
    size_t want = head_len_ < 2 ? 2 : header_size(head_);
    while (head_len_ < want) {
        if (consumed == in.size()) return Step::need_more;
        size_t n = std::min(want - head_len_, in.size() - consumed);
        std::memcpy(head_ + head_len_, in.data() + consumed, n);
        head_len_ = static_cast<uint8_t>(head_len_ + n);
        consumed += n;
        if (head_len_ >= 2) want = header_size(head_);
    }
    head_len_ = 0;
    return decode_header();
}

FrameParser::Step FrameParser::decode_header() {
    const uint8_t* p = head_;
    header_.fin = p[0] & 0x80;
    header_.rsv1 = p[0] & 0x40;
    header_.rsv2 = p[0] & 0x20;
    header_.rsv3 = p[0] & 0x10;
    uint8_t op = p[0] & 0x0F;
    if (!known_opcode(op)) return fail(close_code::protocol_error, "unknown opcode");
    header_.opcode = static_cast<Opcode>(op);
    uint8_t len7 = p[1] & 0x7F;
    size_t at = 2;
    uint64_t length = len7;
    if (len7 == 126) {
        length = uint64_t{p[2]} << 8 | p[3];
        at = 4;
    } else if (len7 == 127) {
        length = 0;
        for (int i = 0; i < 8; ++i) length = length << 8 | p[2 + i];
        at = 10;
        if (length >> 63) return fail(close_code::protocol_error, "64-bit frame length with its high bit set");
    }
    header_.length = length;
    header_.mask.reset();
    if (p[1] & 0x80) {
        Mask m;
        std::memcpy(m.data(), p + at, 4);
        header_.mask = m;
    }
    return check_header();
}

FrameParser::Step FrameParser::check_header() {
    const FrameHeader& h = header_;
    if (h.rsv2 || h.rsv3) return fail(close_code::protocol_error, "reserved bit RSV2 or RSV3 set");
    if (!h.mask && options_.require_mask) return fail(close_code::protocol_error, "unmasked client frame");
    if (is_control(h.opcode)) {
        if (h.rsv1) return fail(close_code::protocol_error, "RSV1 on a control frame");
        if (!h.fin) return fail(close_code::protocol_error, "fragmented control frame");
        if (h.length > max_control_payload) return fail(close_code::protocol_error, "control frame over 125 bytes");
    } else if (h.opcode == Opcode::continuation) {
        if (!in_message_) return fail(close_code::protocol_error, "continuation frame without a message");
        if (h.rsv1) return fail(close_code::protocol_error, "RSV1 on a continuation frame");
        in_message_ = !h.fin;
    } else {
        if (in_message_) return fail(close_code::protocol_error, "new data frame inside a fragmented message");
        if (h.rsv1 && !options_.allow_rsv1) return fail(close_code::protocol_error, "RSV1 set without permessage-deflate");
        in_message_ = !h.fin;
    }
    left_ = h.length;
    offset_ = 0;
    state_ = State::payload;
    return Step::header;
}

FrameParser::Step FrameParser::take_payload(std::string_view in, size_t& consumed, char* dest) {
    if (left_ == 0) {
        state_ = State::header;
        return Step::frame_end;
    }
    if (in.empty()) return Step::need_more;
    size_t n = static_cast<size_t>(std::min<uint64_t>(left_, in.size()));
    std::memcpy(dest, in.data(), n);
    if (header_.mask) apply_mask(dest, n, *header_.mask, offset_);
    piece_ = {dest, n};
    left_ -= n;
    offset_ += n;
    consumed = n;
    return Step::payload;
}

FrameParser::Step FrameParser::fail(uint16_t code, const char* text) {
    state_ = State::failed;
    error_code_ = code;
    error_text_ = text;
    return Step::error;
}

} // namespace hornet::sdk::websocket
