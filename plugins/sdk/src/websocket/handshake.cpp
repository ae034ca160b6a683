// Stub: the opening handshake (being written).
#include "hornet/sdk/websocket/handshake.hpp"

namespace hornet::sdk::websocket {

HandshakeRequest HandshakeRequest::from(const hornet_request_t& request) {
    return {std::string_view(request.method.ptr, request.method.len), request.version,
            std::span<const hornet_header_t>(request.headers, request.header_count)};
}

bool Handshake::offers_subprotocol(std::string_view name) const {
    for (auto p : subprotocols)
        if (p == name) return true;
    return false;
}

Handshake inspect_handshake(const HandshakeRequest&) { return {}; }
std::array<char, 28> accept_key_for(std::string_view) { return {}; }
std::vector<HeaderPair> response_headers(const Handshake&, std::string_view,
                                         const std::optional<DeflateParams>&) {
    return {};
}
std::vector<HeaderPair> refusal_headers(const Handshake&) { return {}; }

} // namespace hornet::sdk::websocket
