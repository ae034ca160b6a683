// hornet/sdk/websocket/close.hpp: the close frame's payload (RFC 6455 §5.5.1,
// §7.4): parsing what a peer sent and building what we send.
//
// Pure functions, any thread. The session uses them; a worker type only
// needs them to build a close of its own (e.g. 1001 on drain) outside one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hornet::sdk::websocket {

struct CloseParse {
    bool ok = false;
    uint16_t code = 0;          // ok: the peer's code, 1005 (no_status) for an empty payload
    std::string_view reason;    // ok: a view into the payload, valid UTF-8
    uint16_t error = 0;         // !ok: the code to fail the connection with (1002 or 1007)
    const char* what = "";      // !ok: one line for a log: "close code 1005 is reserved"
};

// A received close payload: 0 bytes is fine, 1 byte is 1002, a code the peer
// may not send is 1002, a reason that is not UTF-8 is 1007.
CloseParse parse_close_payload(std::string_view payload);

// May a peer put this code on the wire? 1000-1003, 1007-1014 and 3000-4999.
bool is_valid_close_code(uint16_t code);

// The payload of a close we send: code (big-endian) + reason, the reason cut
// to fit 125 bytes at a code point boundary; code 1005 gives an empty payload.
std::string close_payload(uint16_t code, std::string_view reason);

} // namespace hornet::sdk::websocket
