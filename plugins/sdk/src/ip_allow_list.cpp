// Matching peers against IP and CIDR entries.
#include "hornet/sdk/detail/ip_allow_list.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>
#include <string>

namespace hornet::sdk {
namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// An address as 16 bytes; IPv4 (and IPv4-mapped IPv6) in the first 4.
bool to_bytes(std::string_view ip, uint8_t out[16], bool& v4) {
    char text[64];
    if (ip.size() >= sizeof text) return false;
    std::memcpy(text, ip.data(), ip.size());
    text[ip.size()] = '\0';
    std::memset(out, 0, 16);
    if (::inet_pton(AF_INET, text, out) == 1) return v4 = true;
    if (::inet_pton(AF_INET6, text, out) != 1) return false;
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    v4 = std::memcmp(out, kMapped, sizeof kMapped) == 0;
    if (v4) std::memmove(out, out + 12, 4);
    return true;
}

bool prefix_equal(const uint8_t* a, const uint8_t* b, unsigned bits) {
    const unsigned whole = bits / 8, rest = bits % 8;
    if (std::memcmp(a, b, whole) != 0) return false;
    if (rest == 0) return true;
    const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

} // namespace

IpAllowList IpAllowList::parse(std::string_view text) {
    IpAllowList list;
    while (!text.empty()) {
        const size_t comma = text.find(',');
        const std::string_view entry = trimmed(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (entry == "*") list.all_ = true;
        const size_t slash = entry.find('/');
        Net net{};
        if (entry.empty() || !to_bytes(entry.substr(0, slash), net.bytes, net.v4)) continue;
        net.prefix = net.v4 ? 32 : 128;
        if (slash != std::string_view::npos) {
            const std::string_view digits = entry.substr(slash + 1);
            unsigned bits = 0;
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
            if (ec != std::errc() || end != digits.data() + digits.size() || bits > 128) continue;
            // A v4-mapped network ("::ffff:10.0.0.0/104") counts its bits from the IPv4 part.
            const bool mapped = net.v4 && entry.find(':') != std::string_view::npos;
            net.prefix = mapped ? (bits >= 96 ? bits - 96 : 0) : bits;
            if (net.prefix > (net.v4 ? 32u : 128u)) continue;
        }
        list.nets_.push_back(net);
    }
    return list;
}

bool IpAllowList::allows(std::string_view ip) const {
    if (all_) return true;
    uint8_t bytes[16];
    bool v4 = false;
    if (!to_bytes(ip, bytes, v4)) return false;
    for (const Net& net : nets_) {
        if (net.v4 == v4 && prefix_equal(net.bytes, bytes, net.prefix)) return true;
    }
    return false;
}

bool IpAllowList::allows(const SocketAddress& peer) const {
    return peer.is_unix() || allows(peer.host());
}

} // namespace hornet::sdk
