// The PROXY header and the forwarded scheme, for every worker type.
#include "hornet/sdk/peer_gate.hpp"

#include "hornet/sdk/detail/proxy_header.hpp"

namespace hornet::sdk {

void PeerGate::judge(PeerState& peer, const SocketAddress& socket_peer) const {
    if (peer.check != PeerCheck::unknown) return;
    peer.trusts_forwarded =
        !settings_.secure_scheme_headers.empty() && settings_.forwarded_allow.allows(socket_peer);
    if (!settings_.proxy_protocol) peer.check = PeerCheck::done;
    else if (settings_.proxy_allow.allows(socket_peer)) peer.check = PeerCheck::proxy_header;
    else peer.check = PeerCheck::no_proxy_header;
}

HeadResult PeerGate::parse_head(PeerState& peer, RequestParser& parser, InputBuffer& input,
                                ConnectionAddresses& addresses) const {
    if (peer.check != PeerCheck::done) {
        HeadResult proxy = take_proxy_header(peer, input, addresses);
        if (proxy.status != ParseStatus::done) return proxy;
        if (input.empty()) return {ParseStatus::need_more, 0, 0};
    }
    return parser.parse_head(input.data());
}

// done once dealt with: its bytes consumed, the addresses it gives taken.
HeadResult PeerGate::take_proxy_header(PeerState& peer, InputBuffer& input, ConnectionAddresses& addresses) const {
    const std::span<const char> in = input.data();
    if (peer.check != PeerCheck::proxy_header) { // no_proxy_header (or never judged: the same)
        const ProxyLook look = looks_like_proxy_header(in);
        if (look == ProxyLook::need_more) return {ParseStatus::need_more, 0, 0};
        if (look == ProxyLook::yes) return {ParseStatus::error, 0, 403}; // not in proxy_allow_ips
        peer.check = PeerCheck::done;
        return {ParseStatus::done, 0, 0};
    }
    const ProxyHeader h = parse_proxy_header(in);
    if (h.status == ProxyParse::need_more) return {ParseStatus::need_more, 0, 0};
    if (h.status == ProxyParse::error) return {ParseStatus::error, 0, 400};
    input.consume(h.consumed);
    if (h.has_addresses) {
        const ConnectionAddresses socket = addresses;
        addresses = h.addresses;
        addresses.listener = socket.listener; // what the socket itself is, not the client's addresses
        addresses.tls = socket.tls;
    }
    peer.check = PeerCheck::done;
    return {ParseStatus::done, 0, 0};
}

int PeerGate::set_scheme(const PeerState& peer, hornet_request_t& request) const {
    if (!peer.trusts_forwarded) return 0;
    const SchemeVerdict verdict = settings_.scheme_of(request);
    if (verdict.conflict) return 400; // Gunicorn's "Contradictory scheme headers"
    if (!verdict.scheme.empty()) request.scheme = {verdict.scheme.data(), verdict.scheme.size()};
    return 0;
}

} // namespace hornet::sdk
