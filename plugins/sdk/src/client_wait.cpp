// The deadline of a loop connection's wait for its client.
#include "hornet/sdk/client_wait.hpp"

#include <algorithm>

namespace hornet::sdk {

ClientDeadline client_wait_deadline(const Timeouts& t, int64_t now_ms, bool input_empty, bool answered_before,
                                    int64_t head_since_ms, int64_t drain_by_ms) {
    if (input_empty)
        return {ClientWait::request, std::min(now_ms + (answered_before ? t.keepalive_ms : t.head_ms), drain_by_ms)};
    return {ClientWait::head, (head_since_ms != 0 ? head_since_ms : now_ms) + t.head_ms};
}

} // namespace hornet::sdk
