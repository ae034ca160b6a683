// plugins/gthread/connection.hpp: one open client connection of a gthread
// worker, with the links the poller needs.
//
// The SDK's ConnectionState (socket, addresses, leftover bytes) plus where
// the connection sits while nobody serves it: in the parking lot (linked by
// prev/next, with a deadline) or in the handler pool's ready queue (linked by
// next_ready). It is in at most one of those, or with exactly one handler
// thread; whoever holds it may touch it, and the lot's and the queue's locks
// order the hand-overs. Allocated at accept, deleted at close.
#pragma once

#include <cstdint>

#include "hornet/sdk/connection_state.hpp"

namespace hornet::gthread {

struct Connection {
    Connection(int fd, const sdk::ConnectionAddresses& addresses) : state(fd, addresses) {}

    sdk::ConnectionState state;
    // Parking lot: what it waits for, and when it is woken anyway.
    sdk::ConnectionWait waits_for = sdk::ConnectionWait::request;
    int64_t deadline_ms = 0;
    Connection* prev = nullptr;
    Connection* next = nullptr;
    // Handler pool's ready queue.
    Connection* next_ready = nullptr;
    // In the poller's epoll (armed, or spent after one readiness event).
    bool registered = false;
};

} // namespace hornet::gthread
