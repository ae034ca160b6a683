// One entry of forwarded_allow_ips / proxy_allow_ips: an IP address
// ("127.0.0.1", "::1"), a network ("10.0.0.0/8", "fd00::/8") or "*".
//
// Only checked here (the SDK matches peers against the joined text in each
// worker, plugins/sdk ip_allow_list), so a typo is a config error with the
// setting's name instead of a peer that is silently never trusted.
#pragma once

#include <string>
#include <string_view>

namespace hornet {

// The entry without surrounding spaces; ValueError when it is none of the
// three forms.
std::string checked_ip_entry(std::string_view entry);

} // namespace hornet
