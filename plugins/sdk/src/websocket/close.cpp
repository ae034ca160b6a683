// Close payloads: what a peer may send (RFC 6455 §7.4) and what we send.
#include "hornet/sdk/websocket/close.hpp"

#include "hornet/sdk/websocket/frame.hpp"
#include "hornet/sdk/websocket/utf8.hpp"

namespace hornet::sdk::websocket {

bool is_valid_close_code(uint16_t code) {
    if (code >= 1000 && code <= 1003) return true;
    if (code >= 1007 && code <= 1014) return true;
    return code >= 3000 && code <= 4999;
}

CloseParse parse_close_payload(std::string_view payload) {
    CloseParse r;
    if (payload.empty()) {
        r.ok = true;
        r.code = close_code::no_status;
        return r;
    }
    if (payload.size() == 1) {
        r.error = close_code::protocol_error;
        r.what = "close payload of 1 byte";
        return r;
    }
    auto hi = static_cast<uint8_t>(payload[0]);
    auto lo = static_cast<uint8_t>(payload[1]);
    uint16_t code = static_cast<uint16_t>(hi << 8 | lo);
    if (!is_valid_close_code(code)) {
        r.error = close_code::protocol_error;
        r.what = "close code the peer may not send";
        return r;
    }
    std::string_view reason = payload.substr(2);
    if (!is_valid_utf8(reason)) {
        r.error = close_code::invalid_payload;
        r.what = "close reason is not UTF-8";
        return r;
    }
    r.ok = true;
    r.code = code;
    r.reason = reason;
    return r;
}

std::string close_payload(uint16_t code, std::string_view reason) {
    std::string out;
    if (code == close_code::no_status) return out;
    out.push_back(static_cast<char>(code >> 8));
    out.push_back(static_cast<char>(code & 0xFF));
    size_t room = max_control_payload - 2;
    if (reason.size() > room) {
        // Cut at a code point boundary: back off over continuation bytes.
        size_t cut = room;
        while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
        reason = reason.substr(0, cut);
    }
    out.append(reason);
    return out;
}

} // namespace hornet::sdk::websocket
