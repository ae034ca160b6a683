// The server's opening handshake (RFC 6455 §4.2.1, §4.2.2). SHA-1 and
// base64 come from Beast's detail headers (already the SDK's dependency),
// here only, so no header of ours includes Beast.
#include "hornet/sdk/websocket/handshake.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/detail/sha1.hpp>

#include "hornet/support/http_syntax.hpp"
#include "hornet/support/text.hpp"

namespace hornet::sdk::websocket {

namespace {

using support::iequals;
using support::view;

constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Calls f(element) for each non-empty, trimmed element of a comma list;
// stops early when f returns true, and returns whether it did.
template <class F>
bool for_each_element(std::string_view list, F f) {
    while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view element = trim(list.substr(0, comma));
        if (!element.empty() && f(element)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

// Does any header `name` carry `token` in its comma list (case-insensitive)?
bool has_token(const HandshakeRequest& r, std::string_view name, std::string_view token) {
    for (const auto& h : r.headers) {
        if (!iequals(view(h.name), name)) continue;
        if (for_each_element(view(h.value), [&](std::string_view e) { return iequals(e, token); })) return true;
    }
    return false;
}

// The values of header `name`: how many there are, and the first.
size_t find_all(const HandshakeRequest& r, std::string_view name, std::string_view& first) {
    size_t n = 0;
    for (const auto& h : r.headers) {
        if (!iequals(view(h.name), name)) continue;
        if (n++ == 0) first = trim(view(h.value));
    }
    return n;
}

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// §4.1: "a nonce consisting of a randomly selected 16-byte value that has
// been base64-encoded": 22 characters and "==".
bool is_key(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    for (size_t i = 0; i < 22; ++i)
        if (!is_base64_char(key[i])) return false;
    return true;
}

Handshake refuse(Handshake h, int status, const char* reason) {
    h.verdict = HandshakeVerdict::refuse;
    h.status = status;
    h.reason = reason;
    return h;
}

// Subprotocols and extensions, from every header of their name.
const char* collect_offers(const HandshakeRequest& r, Handshake& h) {
    for (const auto& header : r.headers) {
        std::string_view name = view(header.name);
        if (iequals(name, "Sec-WebSocket-Protocol")) {
            bool bad = for_each_element(view(header.value), [&](std::string_view e) {
                if (!support::is_token(e)) return true;
                h.subprotocols.push_back(e);
                return false;
            });
            if (bad) return "Sec-WebSocket-Protocol is not a list of tokens";
        } else if (iequals(name, "Sec-WebSocket-Extensions")) {
            if (!parse_extensions(view(header.value), h.extensions)) return "Sec-WebSocket-Extensions is malformed";
        }
    }
    for (const auto& offer : h.extensions)
        if (auto d = parse_deflate_offer(offer)) h.deflate_offers.push_back(*d);
    return nullptr;
}

} // namespace

HandshakeRequest HandshakeRequest::from(const hornet_request_t& request) {
    return {view(request.method), request.version,
            std::span<const hornet_header_t>(request.headers, request.header_count)};
}

bool Handshake::offers_subprotocol(std::string_view name) const {
    for (auto p : subprotocols)
        if (p == name) return true;
    return false;
}

Handshake inspect_handshake(const HandshakeRequest& r) {
    Handshake h;
    std::string_view key, version;
    size_t keys = find_all(r, "Sec-WebSocket-Key", key);
    size_t versions = find_all(r, "Sec-WebSocket-Version", version);
    bool upgrade = has_token(r, "Upgrade", "websocket");
    if (!upgrade && keys == 0 && versions == 0) {
        h.reason = "not a WebSocket upgrade request";
        return h;
    }
    if (r.method != "GET") return refuse(std::move(h), 400, "a WebSocket handshake must be a GET");
    if (r.version < 11) return refuse(std::move(h), 400, "a WebSocket handshake needs HTTP/1.1");
    if (!upgrade) return refuse(std::move(h), 400, "Upgrade: websocket is missing");
    if (!has_token(r, "Connection", "upgrade")) return refuse(std::move(h), 400, "Connection: upgrade is missing");
    if (keys == 0) return refuse(std::move(h), 400, "Sec-WebSocket-Key is missing");
    if (keys > 1 || !is_key(key)) return refuse(std::move(h), 400, "Sec-WebSocket-Key is not base64 of 16 bytes");
    if (versions == 0) return refuse(std::move(h), 400, "Sec-WebSocket-Version is missing");
    if (versions > 1 || version != "13") return refuse(std::move(h), 426, "Sec-WebSocket-Version is not 13");
    if (const char* bad = collect_offers(r, h)) return refuse(std::move(h), 400, bad);
    h.verdict = HandshakeVerdict::accept;
    h.status = 101;
    h.accept_key = accept_key_for(key);
    return h;
}

std::array<char, 28> accept_key_for(std::string_view key) {
    namespace bd = boost::beast::detail;
    bd::sha1_context ctx;
    bd::init(ctx);
    bd::update(ctx, key.data(), key.size());
    bd::update(ctx, websocket_guid.data(), websocket_guid.size());
    unsigned char digest[bd::sha1_context::digest_size];
    bd::finish(ctx, digest);
    std::array<char, 28> out{};
    bd::base64::encode(out.data(), digest, sizeof digest);
    return out;
}

std::vector<HeaderPair> response_headers(const Handshake& handshake, std::string_view subprotocol,
                                         const std::optional<DeflateParams>& deflate) {
    std::vector<HeaderPair> headers;
    headers.push_back({"Upgrade", "websocket"});
    headers.push_back({"Connection", "Upgrade"});
    headers.push_back({"Sec-WebSocket-Accept", std::string(handshake.accept())});
    if (!subprotocol.empty()) headers.push_back({"Sec-WebSocket-Protocol", std::string(subprotocol)});
    if (deflate) headers.push_back({"Sec-WebSocket-Extensions", deflate_response(*deflate)});
    return headers;
}

std::vector<HeaderPair> refusal_headers(const Handshake& handshake) {
    if (handshake.status != 426) return {};
    return {{"Sec-WebSocket-Version", "13"}};
}

} // namespace hornet::sdk::websocket
