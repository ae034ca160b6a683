// hornet/sdk/client_wait.hpp: how long an event-loop connection waits for
// its client, and for what. One rule for every loop worker type: between
// requests the keep-alive time (header_timeout before the first request),
// no later than a graceful stop's drain; within a head, header_timeout from
// its first byte. The worker type's tick compares its clock with the
// deadline and ends the wait (a partial head then gets a 408). [loop]
#pragma once

#include <cstdint>

#include "hornet/sdk/limits.hpp"

namespace hornet::sdk {

// What a connection's socket read waits for.
enum class ClientWait : uint8_t { none, request, head, linger };

struct ClientDeadline {
    ClientWait wait = ClientWait::none;
    int64_t at_ms = 0;
};

// input_empty: no byte of the next head yet; answered_before: an earlier
// request on this connection was answered; head_since_ms: when the head's
// first byte came (0: not yet); drain_by_ms: LoopWorker::drain_by_ms().
ClientDeadline client_wait_deadline(const Timeouts& t, int64_t now_ms, bool input_empty, bool answered_before,
                                    int64_t head_since_ms, int64_t drain_by_ms);

} // namespace hornet::sdk
