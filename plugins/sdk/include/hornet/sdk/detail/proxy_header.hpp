// hornet/sdk/detail/proxy_header.hpp: the PROXY protocol header (HAProxy's,
// versions 1 and 2) that a load balancer sends before the first HTTP byte to
// say whom the connection is really from.
//
//   v1: "PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\n" (TCP4, TCP6, or
//       UNKNOWN with anything after it), at most 107 bytes;
//   v2: a 12-byte signature, version/command, family/protocol, a 16-bit
//       length and the addresses (then TLVs, skipped). LOCAL (a health check
//       of the balancer's own), UNSPEC and unix addresses keep the socket's.
// Transport-independent and allocation-free, for every worker type; the
// caller decides who may send one (IpAllowList). Thread-compatible.
#pragma once

#include <cstddef>
#include <span>

#include "hornet/sdk/socket_address.hpp"

namespace hornet::sdk {

enum class ProxyParse { need_more, done, error };

struct ProxyHeader {
    ProxyParse status = ProxyParse::need_more;
    size_t consumed = 0;         // bytes of the header (done)
    bool has_addresses = false;  // false: keep the connection's own
    ConnectionAddresses addresses; // peer: the client; local: whom it asked
};

// Parses a PROXY header at the start of `in` (the connection's first bytes).
ProxyHeader parse_proxy_header(std::span<const char> in);

enum class ProxyLook { no, yes, need_more };

// Does `in` start with a PROXY header's signature (v1 "PROXY " or v2)? For
// peers that may not send one: need_more while `in` is a prefix of either.
ProxyLook looks_like_proxy_header(std::span<const char> in);

} // namespace hornet::sdk
