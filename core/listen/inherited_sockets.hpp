// Listening sockets a new arbiter finds already open: handed over by the old
// arbiter on a binary upgrade (USR2: HORNET_FDS="3,4") or by systemd socket
// activation (LISTEN_PID/LISTEN_FDS). Read once at start, before any bind;
// the variables are then removed so that no child sees them.
#pragma once

#include <string>
#include <vector>

#include "config/bind_address.hpp"

namespace hornet {

struct InheritedSocket {
    int fd;
    std::string spec; // what it is bound to, as a bind entry ("127.0.0.1:8000")
};

struct InheritedSockets {
    std::vector<InheritedSocket> from_upgrade; // match them against `bind`
    std::vector<InheritedSocket> from_systemd; // used instead of `bind`
};

InheritedSockets take_inherited_sockets();

// Does this bind entry ask for what the socket is bound to? Port 0 in the
// entry matches any port (the old arbiter got an ephemeral one).
bool bind_matches(const BindAddress& wanted, const std::string& bound_spec);

// The name to set in the environment for a new arbiter.
inline constexpr const char* upgrade_fds_variable = "HORNET_FDS";

} // namespace hornet
