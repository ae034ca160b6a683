// hornet/sdk/websocket/handshake.hpp: the server's opening handshake
// (RFC 6455 §4.2) as a pure decision on a parsed request.
//
// inspect_handshake() reads the method, version and headers a worker type
// already has (a hornet_request_t, or plain views) and says: not a WebSocket
// request at all; a refusal (400 with one line saying why, or 426 with
// `Sec-WebSocket-Version: 13`); or accept, with the Sec-WebSocket-Accept
// value, the offered subprotocols (the app picks one) and extensions, and
// the permessage-deflate offers parsed. response_headers() then builds the
// 101's headers from the app's choices. SHA-1 and base64 are Beast's
// (boost/beast/core/detail), in the .cpp only. Any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hornet/abi.h"
#include "hornet/app.h"
#include "hornet/sdk/websocket/extensions.hpp"

namespace hornet::sdk::websocket {

struct HandshakeRequest {
    std::string_view method;                  // "GET"
    int version = 11;                          // 10 or 11, as hornet_request_t
    std::span<const hornet_header_t> headers;  // names as sent, any case

    static HandshakeRequest from(const hornet_request_t& request);
};

enum class HandshakeVerdict {
    not_websocket, // no Upgrade: websocket, no Sec-WebSocket-Key: serve it as HTTP
    refuse,        // answer `status` (400 or 426) with `refusal_headers()`, then close
    accept,        // the app may take it: answer 101 with response_headers()
};

struct Handshake {
    HandshakeVerdict verdict = HandshakeVerdict::not_websocket;
    int status = 400;          // refuse: 400 or 426; accept: 101
    const char* reason = "";   // refuse: one line: "Sec-WebSocket-Key is not base64 of 16 bytes"
    std::array<char, 28> accept_key{}; // accept: base64(SHA-1(key + GUID))
    std::vector<std::string_view> subprotocols;  // Sec-WebSocket-Protocol tokens, in order
    std::vector<ExtensionOffer> extensions;      // Sec-WebSocket-Extensions, in order
    std::vector<DeflateOffer> deflate_offers;    // the well-formed permessage-deflate ones

    std::string_view accept() const { return {accept_key.data(), accept_key.size()}; }
    // Is `name` among the offered subprotocols (exact match, as §4.2.2)?
    bool offers_subprotocol(std::string_view name) const;
};

// Views in the result point into the request's headers: valid while they are.
Handshake inspect_handshake(const HandshakeRequest& request);

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), §4.2.2.
std::array<char, 28> accept_key_for(std::string_view key);

// Name/value pairs (owned) for a response; the worker type copies them into
// its start() call.
struct HeaderPair {
    std::string name;
    std::string value;
};

// The 101's headers: Upgrade, Connection, Sec-WebSocket-Accept, and
// Sec-WebSocket-Protocol / Sec-WebSocket-Extensions when chosen.
std::vector<HeaderPair> response_headers(const Handshake& handshake,
                                         std::string_view subprotocol,
                                         const std::optional<DeflateParams>& deflate);

// A refusal's extra headers: `Sec-WebSocket-Version: 13` for a 426, else none.
std::vector<HeaderPair> refusal_headers(const Handshake& handshake);

} // namespace hornet::sdk::websocket
