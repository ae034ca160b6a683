// Bind entry syntax; see bind_address.hpp for the accepted forms.
#include "config/bind_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "config/config_error.hpp"
#include "config/units.hpp"

namespace hornet {

namespace {

constexpr std::uint16_t kDefaultPort = 8000; // Gunicorn's, when an entry has none

[[noreturn]] void fail(std::string_view entry, std::string_view why) {
    throw ValueError("bad bind address '" + std::string(entry) + "': " + std::string(why));
}

bool is_ipv4(const std::string& s) {
    in_addr a{};
    return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
    in6_addr a{};
    return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool all_digits_or_dots(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == '.' || std::isdigit(static_cast<unsigned char>(c)); });
}

// RFC 1123 labels: letters, digits and inner hyphens, dot-separated.
bool is_host_name(std::string_view s) {
    if (s.empty() || s.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        bool end = i == s.size() || s[i] == '.';
        if (end) {
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-') return false;
            label = 0;
            continue;
        }
        if (!std::isalnum(static_cast<unsigned char>(s[i])) && s[i] != '-') return false;
        ++label;
    }
    return true;
}

std::uint16_t parse_port(std::string_view entry, std::string_view port) {
    try {
        return static_cast<std::uint16_t>(parse_uint(port, 0, 65535));
    } catch (const ValueError&) {
        fail(entry, "port '" + std::string(port) + "' is not a number from 0 to 65535");
    }
}

BindAddress parse_ipv6(std::string_view entry) {
    std::size_t close = entry.find(']');
    if (close == std::string_view::npos) fail(entry, "missing ']' after the IPv6 address");
    BindAddress a;
    a.host = std::string(entry.substr(1, close - 1));
    if (!is_ipv6(a.host)) fail(entry, "'" + a.host + "' is not an IPv6 address");
    std::string_view rest = entry.substr(close + 1);
    if (rest.empty()) {
        a.port = kDefaultPort;
        return a;
    }
    if (rest.front() != ':') fail(entry, "expected ':port' after ']'");
    a.port = parse_port(entry, rest.substr(1));
    return a;
}

void check_host(std::string_view entry, const std::string& host) {
    if (host.find(':') != std::string::npos) fail(entry, "write IPv6 addresses in brackets, e.g. [::1]:8000");
    if (all_digits_or_dots(host)) {
        if (host.find('.') == std::string::npos)
            fail(entry, "a lone number is not a host; write ':" + host + "' for a port on all interfaces");
        if (!is_ipv4(host)) fail(entry, "'" + host + "' is not an IPv4 address");
        return;
    }
    if (!is_host_name(host)) fail(entry, "'" + host + "' is neither an IP address nor a host name");
}

BindAddress parse_host_port(std::string_view entry) {
    BindAddress a;
    std::size_t colon = entry.rfind(':');
    bool has_port = colon != std::string_view::npos && entry.find(':') == colon;
    a.host = std::string(has_port ? entry.substr(0, colon) : entry);
    a.port = has_port ? parse_port(entry, entry.substr(colon + 1)) : kDefaultPort;
    if (a.host.empty()) a.host = "0.0.0.0";
    check_host(entry, a.host);
    return a;
}

} // namespace

std::string BindAddress::text() const {
    if (kind == Kind::unix_socket) return "unix:" + path;
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

BindScheme split_bind_scheme(std::string_view& entry) {
    for (BindScheme s : {BindScheme::https, BindScheme::http}) {
        const std::string_view prefix = bind_scheme_prefix(s);
        if (!entry.starts_with(prefix)) continue;
        entry.remove_prefix(prefix.size());
        return s;
    }
    return BindScheme::any;
}

std::string_view bind_scheme_prefix(BindScheme scheme) {
    if (scheme == BindScheme::https) return "https://";
    return scheme == BindScheme::http ? "http://" : "";
}

BindAddress parse_bind(std::string_view entry) {
    if (entry.empty()) fail(entry, "empty entry");
    if (entry.starts_with("unix:")) {
        BindAddress a;
        a.kind = BindAddress::Kind::unix_socket;
        a.path = std::string(entry.substr(5));
        if (a.path.empty()) fail(entry, "missing socket path after 'unix:'");
        return a;
    }
    if (entry.front() == '[') return parse_ipv6(entry);
    return parse_host_port(entry);
}

} // namespace hornet
