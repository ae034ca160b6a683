// The tick's clock, heartbeat and trim.
#include "hornet/sdk/worker_tick.hpp"

#include <algorithm>
#include <malloc.h>

#include "hornet/sdk/access_record.hpp"

namespace hornet::sdk {
namespace {

constexpr size_t kTrimAfterClosed = 64; // closes that make a trim worth it once idle

} // namespace

int64_t WorkerTick::read_clock() { return now_ms_ = monotonic_us() / 1000; }

void WorkerTick::begin() {
    read_clock();
    ctx_->heartbeat(ctx_);
    schedule_beat();
}

void WorkerTick::schedule_beat() { next_beat_ms_ = now_ms_ + std::max<uint32_t>(beat_ms_ / 2, 5); } // timeout / 4

void WorkerTick::tick(size_t open_connections) {
    read_clock();
    if (now_ms_ >= next_beat_ms_) {
        ctx_->heartbeat(ctx_);
        schedule_beat();
    }
    // A burst of connections is over: give its buffers back to the system
    // (glibc keeps freed heap otherwise), so an idle worker is small again.
    if (open_connections == 0 && closed_since_trim_ >= kTrimAfterClosed) {
        closed_since_trim_ = 0;
        ::malloc_trim(0);
    }
}

} // namespace hornet::sdk
