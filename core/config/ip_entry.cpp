// Checking forwarded_allow_ips / proxy_allow_ips entries; see ip_entry.hpp.
#include "config/ip_entry.hpp"

#include <arpa/inet.h>
#include <charconv>

#include "config/config_error.hpp"

namespace hornet {
namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The address family of `ip`, or 0.
int family_of(const std::string& ip) {
    unsigned char buf[16];
    if (::inet_pton(AF_INET, ip.c_str(), buf) == 1) return AF_INET;
    if (::inet_pton(AF_INET6, ip.c_str(), buf) == 1) return AF_INET6;
    return 0;
}

bool valid_prefix(std::string_view digits, int family) {
    unsigned bits = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return false;
    return bits <= (family == AF_INET ? 32u : 128u);
}

} // namespace

std::string checked_ip_entry(std::string_view raw) {
    const std::string_view entry = trimmed(raw);
    if (entry == "*") return "*";
    const size_t slash = entry.find('/');
    const int family = family_of(std::string(entry.substr(0, slash)));
    if (family != 0 && (slash == std::string_view::npos || valid_prefix(entry.substr(slash + 1), family)))
        return std::string(entry);
    throw ValueError("expected an IP address (127.0.0.1, ::1), a network (10.0.0.0/8) or '*', got '" +
                     std::string(raw) + "'");
}

} // namespace hornet
