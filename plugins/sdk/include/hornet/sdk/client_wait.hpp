// hornet/sdk/client_wait.hpp: how long an event-loop connection waits for
// its client, and for what. One rule for every loop worker type: between
// requests the keep-alive time (header_timeout before the first request),
// no later than a graceful stop's drain; within a head, header_timeout from
// its first byte; a lingering close at most kLingerMs. A connection keeps a
// ClientWatch; the worker type's tick asks it whether the wait ran out and
// then cancels the read (a partial head then gets a 408). [loop]
#pragma once

#include <cstdint>

#include "hornet/sdk/io.hpp"
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

// One connection's wait for its client, between and within heads.
class ClientWatch {
public:
    // A new head: none of its wait has run out.
    void begin_head() { head_expired_ = false; }
    // Its first bytes came at now_ms; then it was whole.
    void first_bytes(int64_t now_ms) { head_since_ms_ = now_ms; }
    void head_done() { head_since_ms_ = 0; }
    // Before a socket read for the head (client_wait_deadline).
    void await(const Timeouts& t, int64_t now_ms, bool input_empty, bool answered_before, int64_t drain_by_ms) {
        const ClientDeadline d = client_wait_deadline(t, now_ms, input_empty, answered_before, head_since_ms_, drain_by_ms);
        wait_ = d.wait;
        at_ms_ = d.at_ms;
    }
    // Before the reads of a lingering close: at most kLingerMs from now;
    // linger_more() for the next read of the same linger.
    void linger(int64_t now_ms) {
        wait_ = ClientWait::linger;
        at_ms_ = now_ms + kLingerMs;
    }
    void linger_more() { wait_ = ClientWait::linger; }
    // The read came back: nothing is waited for.
    void done() { wait_ = ClientWait::none; }
    // [tick] True once, when the wait has run out: cancel the read.
    bool expired(int64_t now_ms) {
        if (wait_ == ClientWait::none || now_ms < at_ms_) return false;
        if (wait_ == ClientWait::head) head_expired_ = true;
        wait_ = ClientWait::none;
        return true;
    }
    // A graceful stop: an idle wait between requests ends by by_ms.
    void drain(int64_t by_ms) {
        if (wait_ == ClientWait::request && by_ms < at_ms_) at_ms_ = by_ms;
    }
    // Did the head's wait run out (a partial head then gets a 408)?
    bool head_expired() const { return head_expired_; }

private:
    ClientWait wait_ = ClientWait::none;
    int64_t at_ms_ = 0;
    int64_t head_since_ms_ = 0;
    bool head_expired_ = false;
};

} // namespace hornet::sdk
