// Sec-WebSocket-Extensions (RFC 6455 §9.1) and permessage-deflate's offer
// and answer (RFC 7692 §7). The list grammar is RFC 9110's #rule: empty
// elements are skipped, OWS around separators.
#include "hornet/sdk/websocket/extensions.hpp"

#include <algorithm>

#include "hornet/support/http_syntax.hpp"
#include "hornet/support/text.hpp"

namespace hornet::sdk::websocket {

namespace {

bool is_tchar(char c) { return support::is_token(std::string_view(&c, 1)); }

class Cursor {
public:
    explicit Cursor(std::string_view s) : s_(s) {}
    bool done() const { return i_ == s_.size(); }
    char peek() const { return s_[i_]; }
    void skip() { ++i_; }
    void skip_ows() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    bool eat(char c) {
        skip_ows();
        if (done() || s_[i_] != c) return false;
        ++i_;
        skip_ows();
        return true;
    }
    std::string_view token() {
        size_t start = i_;
        while (i_ < s_.size() && is_tchar(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }
    // A quoted-string without escapes (no parameter of ours needs one);
    // false for an escape or no closing quote.
    bool quoted(std::string_view& out) {
        size_t start = ++i_;
        while (i_ < s_.size() && s_[i_] != '"') {
            if (s_[i_] == '\\') return false;
            ++i_;
        }
        if (done()) return false;
        out = s_.substr(start, i_ - start);
        ++i_;
        return true;
    }

private:
    std::string_view s_;
    size_t i_ = 0;
};

bool parse_param(Cursor& c, ExtensionParam& param) {
    param.name = c.token();
    if (param.name.empty()) return false;
    if (!c.eat('=')) return true;
    param.has_value = true;
    if (!c.done() && c.peek() == '"') return c.quoted(param.value);
    param.value = c.token();
    return !param.value.empty();
}

bool parse_offer(Cursor& c, ExtensionOffer& offer) {
    offer.name = c.token();
    if (offer.name.empty()) return false;
    while (c.eat(';')) {
        ExtensionParam param;
        if (!parse_param(c, param)) return false;
        offer.params.push_back(param);
    }
    return true;
}

// "8".."15" exactly (no sign, no leading zero).
std::optional<uint8_t> window_bits(std::string_view v) {
    if (v.size() == 1 && v[0] >= '8' && v[0] <= '9') return static_cast<uint8_t>(v[0] - '0');
    if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return static_cast<uint8_t>(10 + v[1] - '0');
    return std::nullopt;
}

// Applies one parameter to `d`; false for a bad or unknown one.
bool apply_deflate_param(const ExtensionParam& p, DeflateOffer& d) {
    if (p.name == "server_no_context_takeover" && !p.has_value) return d.server_no_context_takeover = true;
    if (p.name == "client_no_context_takeover" && !p.has_value) return d.client_no_context_takeover = true;
    if (p.name == "server_max_window_bits" && p.has_value) {
        auto bits = window_bits(p.value);
        if (!bits) return false;
        d.server_max_window_bits = *bits;
        return true;
    }
    if (p.name == "client_max_window_bits") {
        d.client_max_window_bits = true;
        if (!p.has_value) return true;
        auto bits = window_bits(p.value);
        if (!bits) return false;
        d.client_max_window_bits_value = *bits;
        return true;
    }
    return false;
}

bool has_duplicate(const std::vector<ExtensionParam>& params) {
    for (size_t i = 0; i < params.size(); ++i)
        for (size_t j = i + 1; j < params.size(); ++j)
            if (params[i].name == params[j].name) return true;
    return false;
}

} // namespace

bool parse_extensions(std::string_view value, std::vector<ExtensionOffer>& out) {
    std::vector<ExtensionOffer> found;
    Cursor c(value);
    c.skip_ows();
    while (!c.done()) {
        if (c.eat(',')) continue; // an empty list element
        ExtensionOffer offer;
        if (!parse_offer(c, offer)) return false;
        found.push_back(std::move(offer));
        c.skip_ows();
        if (!c.done() && !c.eat(',')) return false;
    }
    out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    return true;
}

std::optional<DeflateOffer> parse_deflate_offer(const ExtensionOffer& offer) {
    if (offer.name != "permessage-deflate") return std::nullopt;
    if (has_duplicate(offer.params)) return std::nullopt;
    DeflateOffer d;
    for (const auto& p : offer.params)
        if (!apply_deflate_param(p, d)) return std::nullopt;
    return d;
}

namespace {

std::optional<DeflateParams> agree(const DeflateOffer& o, const DeflatePolicy& policy) {
    DeflateParams p;
    p.level = policy.level;
    p.min_size = policy.min_size;
    p.server_no_context_takeover = o.server_no_context_takeover || policy.server_no_context_takeover;
    p.client_no_context_takeover = o.client_no_context_takeover || policy.client_no_context_takeover;
    uint8_t server_bits = std::clamp<uint8_t>(policy.server_max_window_bits, 9, 15);
    if (o.server_max_window_bits) server_bits = std::min(server_bits, o.server_max_window_bits);
    if (server_bits < 9) return std::nullopt; // zlib's raw deflate cannot use an 8-bit window
    p.server_max_window_bits = server_bits;
    p.server_max_window_bits_offered = o.server_max_window_bits != 0;
    // The client's window: limited only when it offered the parameter; an
    // offer's value is what it will use at most anyway.
    uint8_t client_bits = 15;
    if (o.client_max_window_bits) {
        client_bits = std::clamp<uint8_t>(policy.client_max_window_bits, 8, 15);
        if (o.client_max_window_bits_value) client_bits = std::min(client_bits, o.client_max_window_bits_value);
    }
    p.client_max_window_bits = client_bits;
    return p;
}

} // namespace

std::optional<DeflateParams> negotiate_deflate(std::span<const DeflateOffer> offers, const DeflatePolicy& policy) {
    if (!policy.enabled) return std::nullopt;
    for (const auto& offer : offers)
        if (auto p = agree(offer, policy)) return p;
    return std::nullopt;
}

std::string deflate_response(const DeflateParams& params) {
    std::string s = "permessage-deflate";
    if (params.server_no_context_takeover) s += "; server_no_context_takeover";
    if (params.client_no_context_takeover) s += "; client_no_context_takeover";
    if (params.server_max_window_bits < 15 || params.server_max_window_bits_offered)
        s += "; server_max_window_bits=" + std::to_string(params.server_max_window_bits);
    if (params.client_max_window_bits < 15)
        s += "; client_max_window_bits=" + std::to_string(params.client_max_window_bits);
    return s;
}

} // namespace hornet::sdk::websocket
