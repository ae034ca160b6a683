// hornet/sdk/loop_worker.hpp: what every event-loop worker type keeps
// besides its I/O: the context's limits read once, the tick (clock,
// heartbeat, trim), and the stop phases with their deadlines.
//
// A worker type derives from LoopWorker (plugins/async, plugins/uring) and
// keeps its loop, listeners and connections. The stops follow Gunicorn:
// graceful (HORNET_STOP_GRACEFUL) stops accepting and drains: the next
// request on each connection is answered with Connection: close, idle
// connections wait at most `keepalive` more (drain_by_ms(): a request may
// be on its way on any of them), exchanges in flight (PENDING ones
// included) finish, and the worker leaves when none is open or after
// graceful_timeout; then (or on HORNET_STOP_NOW) every socket is shut and
// PENDING apps get 1 s to call finish(). The worker type asks stop_step()
// what the stop mode wants, enters the phase (enter_leaving/enter_stopping)
// and does its part (cancel accepts, drain or cut connections), and asks
// verdict() after anything that may end the loop. [loop thread], except
// where said.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hornet/sdk/limits.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/request_cycle.hpp"
#include "hornet/sdk/worker_tick.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

class LoopWorker {
public:
    explicit LoopWorker(const hornet_worker_ctx_t* ctx);

    const hornet_worker_ctx_t* ctx() const { return ctx_; }
    const Timeouts& timeouts() const { return timeouts_; }
    const PeerGate& gate() const { return gate_; } // PROXY header, trusted scheme headers
    int64_t now_ms() const { return tick_.now_ms(); } // the tick's clock
    const int64_t& clock() const { return tick_.clock(); }
    // Idle connections wait no later than this (a graceful stop's drain).
    int64_t drain_by_ms() const { return drain_by_ms_; }
    bool draining() const { return drain_by_ms_ != INT64_MAX; }
    // Another request on a connection? Not with keep_alive 0, nor once the
    // worker stops. [any thread]
    bool keep_going() const { return may_keep_alive(ctx_, timeouts_); }
    // After run(): apps still hold exchanges; the worker must then not be
    // destroyed (late calls would touch it). sdk::boot_and_run asks.
    bool abandoned() const { return abandoned_; }

protected:
    enum class Phase { serving, leaving, stopping };
    enum class StopStep { none, leave, stop_now };
    enum class Verdict { stay, end, stop_now, abandon };

    // worker_connections, at least 1.
    size_t cap() const { return cap_; }
    Phase phase() const { return phase_; }
    WorkerTick& tick() { return tick_; }

    // What the host's stop mode asks of the current phase.
    StopStep stop_step() const;
    // Graceful: false when not serving. Sets drain_by_ms() and logs the
    // drain of `open` connections.
    bool enter_leaving(size_t open);
    // Now: false when already stopping.
    bool enter_stopping();
    // May the loop end? `open` connections, `accepting`: an accept is still
    // in flight (it may bring a connection to serve). Logs the timeouts;
    // abandon sets abandoned().
    Verdict verdict(size_t open, bool accepting);

private:
    const hornet_worker_ctx_t* ctx_;
    Timeouts timeouts_;
    PeerGate gate_;
    size_t cap_;
    WorkerTick tick_;
    Phase phase_ = Phase::serving;
    int64_t leave_by_ms_ = 0;
    int64_t drain_by_ms_ = INT64_MAX;
    int64_t abandon_at_ms_ = 0;
    bool abandoned_ = false;
};

} // namespace hornet::sdk
