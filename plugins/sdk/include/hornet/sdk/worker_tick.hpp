// hornet/sdk/worker_tick.hpp: the periodic tick of an event-loop worker
// type, less its I/O: the loop's clock, heartbeat pacing, and giving memory
// back once a burst of connections is over.
//
// The worker type arms a timer of kPeriodMs on its loop and calls tick()
// from it; connections read now_ms() (or hold clock()) for their deadlines,
// which the worker type checks after tick(). [loop thread]
#pragma once

#include <cstddef>
#include <cstdint>

#include "hornet/worker.h"

namespace hornet::sdk {

class WorkerTick {
public:
    static constexpr int64_t kPeriodMs = 100;

    // beat_ms: Timeouts::beat_ms (timeout / 2); beats go every beat_ms / 2.
    WorkerTick(const hornet_worker_ctx_t* ctx, uint32_t beat_ms) : ctx_(ctx), beat_ms_(beat_ms) {}

    // The first heartbeat, before the worker says it is ready.
    void begin();
    // Reads the clock, beats when due, and trims the heap when no
    // connection is open and enough have closed since the last trim.
    void tick(size_t open_connections);
    // Reads the clock alone (work that sets deadlines outside the tick).
    int64_t read_clock();
    // A connection closed (counts towards the next trim).
    void closed() { ++closed_since_trim_; }

    int64_t now_ms() const { return now_ms_; }
    const int64_t& clock() const { return now_ms_; }

private:
    void schedule_beat();

    const hornet_worker_ctx_t* ctx_;
    uint32_t beat_ms_;
    int64_t now_ms_ = 0;
    int64_t next_beat_ms_ = 0;
    size_t closed_since_trim_ = 0;
};

} // namespace hornet::sdk
