// Stub: Sec-WebSocket-Extensions parsing and permessage-deflate negotiation.
#include "hornet/sdk/websocket/extensions.hpp"

namespace hornet::sdk::websocket {

bool parse_extensions(std::string_view, std::vector<ExtensionOffer>&) { return false; }
std::optional<DeflateOffer> parse_deflate_offer(const ExtensionOffer&) { return std::nullopt; }
std::optional<DeflateParams> negotiate_deflate(std::span<const DeflateOffer>, const DeflatePolicy&) {
    return std::nullopt;
}
std::string deflate_response(const DeflateParams&) { return "permessage-deflate"; }

} // namespace hornet::sdk::websocket
