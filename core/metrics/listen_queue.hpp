// The accept queue of a listening TCP socket, from TCP_INFO: on a socket in
// LISTEN state Linux reports the queue's current length as tcpi_unacked and
// its limit (the backlog) as tcpi_sacked. One getsockopt, no locks; nothing
// for a unix socket. Arbiter thread (any thread, really).
#pragma once

#include <optional>

#include "metrics/server_view.hpp"

namespace hornet::metrics {

std::optional<ListenQueue> listen_queue(int listen_fd);

} // namespace hornet::metrics
