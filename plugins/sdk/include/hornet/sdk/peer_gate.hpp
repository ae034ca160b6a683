// hornet/sdk/peer_gate.hpp: what a connection's peer may tell us, for every
// worker type: the PROXY header before its first request (proxy_protocol,
// proxy_allow_ips) and the scheme from its secure_scheme_headers
// (forwarded_allow_ips). Transport-independent: a worker type keeps one
// PeerState per connection and calls, on its own thread:
//
//   gate.judge(state.peer, addresses.peer);        // once, right after accept
//   HeadResult r = gate.parse_head(state.peer, parser, input, addresses);
//                                                  // in place of parser.parse_head()
//   parser.resolve(...); parser.fill(request); ... // as before, then
//   if (int status = gate.set_scheme(state.peer, request)) answer status;
//
// parse_head() consumes the PROXY header from `input` (so the head parser
// only ever sees HTTP) and replaces `addresses` with the ones it gives; its
// errors are 400 (a missing or malformed header from a proxy) and 403 (a
// header from a peer not in proxy_allow_ips). Built once per worker from the
// context; const after that, so any thread may share one.
#pragma once

#include <cstdint>

#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/detail/proxy_settings.hpp"
#include "hornet/sdk/request_parser.hpp"
#include "hornet/sdk/socket_address.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

// What the peer must do before its first request.
enum class PeerCheck : uint8_t {
    unknown,         // not judged yet
    proxy_header,    // a trusted proxy: a PROXY header must come first
    no_proxy_header, // anyone else: a PROXY header from it is refused
    done             // requests may come
};

// Per connection; judged from the socket's own peer, before a PROXY header
// replaces the addresses.
struct PeerState {
    PeerCheck check = PeerCheck::unknown;
    bool trusts_forwarded = false; // its secure_scheme_headers are believed
};

class PeerGate {
public:
    explicit PeerGate(const hornet_worker_ctx_t* ctx) : settings_(ProxySettings::from(ctx)) {}

    void judge(PeerState& peer, const SocketAddress& socket_peer) const;
    HeadResult parse_head(PeerState& peer, RequestParser& parser, InputBuffer& input,
                          ConnectionAddresses& addresses) const;
    int set_scheme(const PeerState& peer, hornet_request_t& request) const;

    const ProxySettings& settings() const { return settings_; }

private:
    HeadResult take_proxy_header(PeerState& peer, InputBuffer& input, ConnectionAddresses& addresses) const;

    ProxySettings settings_;
};

} // namespace hornet::sdk
