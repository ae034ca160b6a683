// PROXY protocol v1 and v2 (https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt).
#include "hornet/sdk/detail/proxy_header.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <netinet/in.h>
#include <string_view>

namespace hornet::sdk {
namespace {

constexpr std::string_view kV1 = "PROXY ";
constexpr std::string_view kV2{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr size_t kV1Max = 107;       // the spec's bound, CRLF included
constexpr size_t kV2Max = 16 + 1024; // addresses and a few TLVs; more is not a balancer

ProxyHeader failed() { return {ProxyParse::error, 0, false, {}}; }

// A prefix of `sig`, or `sig` itself at the start of `in`?
ProxyLook compare(std::span<const char> in, std::string_view sig) {
    const size_t n = std::min(in.size(), sig.size());
    if (n == 0) return ProxyLook::need_more;
    if (std::memcmp(in.data(), sig.data(), n) != 0) return ProxyLook::no;
    return n == sig.size() ? ProxyLook::yes : ProxyLook::need_more;
}

bool parse_port(std::string_view s, uint16_t& port) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || s.size() > 5 || ec != std::errc() || end != s.data() + s.size() || v > 65535) return false;
    port = static_cast<uint16_t>(v);
    return true;
}

// "a.b.c.d" (v4) or an IPv6 text, with a port, as a socket address.
bool v1_address(std::string_view ip, std::string_view port_text, bool v6, SocketAddress& out) {
    char text[INET6_ADDRSTRLEN];
    uint16_t port = 0;
    if (ip.empty() || ip.size() >= sizeof text || !parse_port(port_text, port)) return false;
    std::memcpy(text, ip.data(), ip.size());
    text[ip.size()] = '\0';
    if (v6) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(port);
        if (::inet_pton(AF_INET6, text, &sa.sin6_addr) != 1) return false;
        out = SocketAddress::from(reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        return true;
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (::inet_pton(AF_INET, text, &sa.sin_addr) != 1) return false;
    out = SocketAddress::from(reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    return true;
}

// "PROXY TCP4 src dst sport dport\r\n": single spaces, nothing else.
ProxyHeader parse_v1(std::span<const char> in) {
    const std::string_view all(in.data(), std::min(in.size(), kV1Max));
    const size_t crlf = all.find("\r\n");
    if (crlf == std::string_view::npos)
        return all.size() >= kV1Max || all.find('\n') != std::string_view::npos ? failed() : ProxyHeader{};
    std::string_view rest = all.substr(kV1.size(), crlf - kV1.size());
    if (rest.find('\n') != std::string_view::npos) return failed(); // a bare LF ended the line
    ProxyHeader out{ProxyParse::done, crlf + 2, false, {}};
    if (rest.substr(0, 7) == "UNKNOWN") return out; // the balancer does not know: keep ours
    std::string_view words[5];
    for (auto& w : words) {
        const size_t space = rest.find(' ');
        w = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    }
    const bool v6 = words[0] == "TCP6";
    if ((words[0] != "TCP4" && !v6) || !rest.empty() || words[4].empty()) return failed();
    if (!v1_address(words[1], words[3], v6, out.addresses.peer) ||
        !v1_address(words[2], words[4], v6, out.addresses.local))
        return failed();
    out.has_addresses = true;
    return out;
}

uint16_t be16(const unsigned char* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// Addresses of a v2 PROXY command, for TCP over IPv4 or IPv6.
bool v2_addresses(unsigned family, const unsigned char* a, size_t len, ConnectionAddresses& out) {
    if (family == 1 && len >= 12) {
        sockaddr_in src{}, dst{};
        src.sin_family = dst.sin_family = AF_INET;
        std::memcpy(&src.sin_addr, a, 4);
        std::memcpy(&dst.sin_addr, a + 4, 4);
        src.sin_port = htons(be16(a + 8));
        dst.sin_port = htons(be16(a + 10));
        out.peer = SocketAddress::from(reinterpret_cast<sockaddr*>(&src), sizeof src);
        out.local = SocketAddress::from(reinterpret_cast<sockaddr*>(&dst), sizeof dst);
        return true;
    }
    if (family == 2 && len >= 36) {
        sockaddr_in6 src{}, dst{};
        src.sin6_family = dst.sin6_family = AF_INET6;
        std::memcpy(&src.sin6_addr, a, 16);
        std::memcpy(&dst.sin6_addr, a + 16, 16);
        src.sin6_port = htons(be16(a + 32));
        dst.sin6_port = htons(be16(a + 34));
        out.peer = SocketAddress::from(reinterpret_cast<sockaddr*>(&src), sizeof src);
        out.local = SocketAddress::from(reinterpret_cast<sockaddr*>(&dst), sizeof dst);
        return true;
    }
    return false;
}

ProxyHeader parse_v2(std::span<const char> in) {
    if (in.size() < 16) return {};
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const unsigned version = p[12] >> 4, command = p[12] & 15, family = p[13] >> 4, protocol = p[13] & 15;
    const size_t total = 16 + be16(p + 14);
    if (version != 2 || command > 1 || total > kV2Max || protocol > 1) return failed();
    if (in.size() < total) return {};
    ProxyHeader out{ProxyParse::done, total, false, {}};
    if (command == 0 || family == 0 || family == 3) return out; // LOCAL, UNSPEC, unix: keep ours
    if (protocol != 1 || family > 3) return failed();            // only a stream makes sense here
    if (!v2_addresses(family, p + 16, total - 16, out.addresses)) return failed();
    out.has_addresses = true;
    return out;
}

} // namespace

ProxyLook looks_like_proxy_header(std::span<const char> in) {
    const ProxyLook v1 = compare(in, kV1), v2 = compare(in, kV2);
    if (v1 == ProxyLook::yes || v2 == ProxyLook::yes) return ProxyLook::yes;
    if (v1 == ProxyLook::need_more || v2 == ProxyLook::need_more) return ProxyLook::need_more;
    return ProxyLook::no;
}

ProxyHeader parse_proxy_header(std::span<const char> in) {
    if (compare(in, kV1) == ProxyLook::yes) return parse_v1(in);
    if (compare(in, kV2) == ProxyLook::yes) return parse_v2(in);
    if (looks_like_proxy_header(in) == ProxyLook::need_more) return {};
    return failed();
}

} // namespace hornet::sdk
