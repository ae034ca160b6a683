// Syntax of one `bind` entry, shared by the config validator and the listener.
//
// The config component calls parse_bind() to reject bad entries at load time
// (with the file position of the entry) and stores the normalized text; the
// listener code can call it again to get host/port/path without re-parsing.
// Nothing here resolves names or touches sockets.
//
// Accepted forms (Gunicorn's, plus one shorthand):
//   127.0.0.1:8000   IPv4 address and port
//   localhost:8000   host name and port (resolved by the listener)
//   [::1]:8000       IPv6 address in brackets and port
//   unix:/run/x.sock Unix-domain socket path (relative paths allowed)
//   :8000            all IPv4 interfaces: normalized to 0.0.0.0:8000
//   127.0.0.1        no port: Gunicorn's default port 8000 is added
// Ports are 0..65535; 0 asks the kernel for an ephemeral port (tests use it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hornet {

struct BindAddress {
    enum class Kind { tcp, unix_socket };
    Kind kind = Kind::tcp;
    std::string host;        // tcp: IPv4 text, IPv6 text without brackets, or a host name
    std::uint16_t port = 0;  // tcp only
    std::string path;        // unix_socket only

    // Canonical text: parse_bind(a.text()) == a.
    std::string text() const;
    bool operator==(const BindAddress&) const = default;
};

// Throws ValueError naming the entry and the accepted forms.
BindAddress parse_bind(std::string_view entry);

// A `bind` entry may open with a scheme: https:// (TLS: needs certfile),
// http:// (plain even when certfile is set), or none (TLS when certfile is
// set, Gunicorn's rule). Strips the prefix from entry.
enum class BindScheme { any, http, https };
BindScheme split_bind_scheme(std::string_view& entry);
std::string_view bind_scheme_prefix(BindScheme scheme); // "", "http://", "https://"


} // namespace hornet
