// hornet/sdk/websocket/extensions.hpp: the Sec-WebSocket-Extensions grammar
// (RFC 6455 §9.1) and the permessage-deflate offer and answer (RFC 7692 §7).
//
// parse_extensions() splits the header's list into offers with parameters;
// parse_deflate_offer() checks one permessage-deflate offer (a duplicate
// parameter, an unknown one or a bad value declines it, as §7 says);
// negotiate_deflate() picks the first offer the server's policy can take and
// deflate_response() writes the answer's header value. Pure functions, any
// thread; the handshake uses them, a worker type gets their results there.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hornet::sdk::websocket {

struct ExtensionParam {
    std::string_view name;
    std::string_view value; // without quotes; empty when has_value is false
    bool has_value = false;
};

struct ExtensionOffer {
    std::string_view name; // "permessage-deflate"
    std::vector<ExtensionParam> params;
};

// Appends the offers of one header value to `out` (views into `value`);
// false (and `out` as it was) when the value does not follow the grammar.
bool parse_extensions(std::string_view value, std::vector<ExtensionOffer>& out);

// One permessage-deflate offer. Window bits are 0 when the parameter is absent.
struct DeflateOffer {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    uint8_t server_max_window_bits = 0;    // 8..15, or 0: not offered
    bool client_max_window_bits = false;   // offered (the client can honour a limit)
    uint8_t client_max_window_bits_value = 0; // 8..15 when offered with a value, else 0
};

// nullopt when `offer` is not permessage-deflate or is malformed (a
// parameter twice, an unknown parameter, a value out of 8..15, a value on a
// flag, a missing value on server_max_window_bits).
std::optional<DeflateOffer> parse_deflate_offer(const ExtensionOffer& offer);

// What the server is willing to do; `enabled` false declines every offer.
struct DeflatePolicy {
    bool enabled = false;
    uint8_t server_max_window_bits = 15;   // our compressor's window (9..15)
    uint8_t client_max_window_bits = 15;   // ask the client for at most this, if it lets us
    bool server_no_context_takeover = false; // ours: frees the compressor between messages
    bool client_no_context_takeover = false; // ask for it: frees the decompressor between messages
    int level = 1;                           // zlib level: 1 is fast and good for messages
    size_t min_size = 64;                    // send smaller messages uncompressed (RSV1 clear)
};

// What both sides agreed; the session's compressor and decompressor use it.
struct DeflateParams {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    uint8_t server_max_window_bits = 15;
    uint8_t client_max_window_bits = 15;
    int level = 1;
    size_t min_size = 64;
    // The offer had server_max_window_bits: the answer must carry it
    // (§7.1.2.1), even at 15.
    bool server_max_window_bits_offered = false;
};

// The first offer the policy can take (RFC 7692 §7.1): server_max_window_bits
// no more than offered (zlib cannot compress with 8: such an offer is
// declined), client_max_window_bits only when the client offered it.
std::optional<DeflateParams> negotiate_deflate(std::span<const DeflateOffer> offers,
                                               const DeflatePolicy& policy);

// The response header value: "permessage-deflate; server_no_context_takeover;
// client_max_window_bits=12", listing what the client must know.
std::string deflate_response(const DeflateParams& params);

} // namespace hornet::sdk::websocket
