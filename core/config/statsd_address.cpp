// statsd_host's forms; see statsd_address.hpp.
#include "config/statsd_address.hpp"

#include <algorithm>
#include <cctype>

#include "config/bind_address.hpp"
#include "config/config_error.hpp"

namespace hornet {
namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// "host" and "[v6]" have no port of their own.
bool has_port(std::string_view entry) {
    const std::size_t colon = entry.rfind(':');
    if (colon == std::string_view::npos) return false;
    return entry.front() != '[' || entry.find(']') < colon;
}

} // namespace

StatsdAddress parse_statsd_host(std::string_view entry) {
    StatsdAddress out;
    if (entry.starts_with("unix:") && !all_digits(entry.substr(5))) {
        std::string_view path = entry.substr(entry.starts_with("unix://") ? 7 : 5);
        if (path.empty()) throw ValueError("bad statsd_host '" + std::string(entry) + "': unix: needs a path");
        out.unix_socket = true;
        out.path = std::string(path);
        return out;
    }
    const std::string text = has_port(entry) ? std::string(entry) : std::string(entry) + ":8125";
    BindAddress a;
    try {
        a = parse_bind(text);
    } catch (const ValueError& e) {
        throw ValueError("bad statsd_host '" + std::string(entry) +
                         "': expected HOST:PORT, [IPV6]:PORT or unix:PATH (" + e.what() + ")");
    }
    if (a.port == 0) throw ValueError("bad statsd_host '" + std::string(entry) + "': the port must not be 0");
    out.host = a.host;
    out.port = a.port;
    return out;
}

} // namespace hornet
