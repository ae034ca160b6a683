// The scoreboard: one slot per worker in memory shared across fork.
//
// The arbiter maps it before the first fork and assigns each worker a slot;
// the worker writes its state, heartbeat and counters there with relaxed
// atomics, the arbiter reads them to see readiness and stale heartbeats, and
// the status view reads the same numbers. No locks: each field has one writer.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <sys/types.h>

namespace hornet {

enum class WorkerState : std::uint32_t { free = 0, booting, ready, stopping };

struct ScoreboardSlot {
    std::atomic<pid_t> pid;
    std::atomic<std::uint32_t> generation;
    std::atomic<WorkerState> state;
    std::atomic<std::int64_t> last_beat_ms; // monotonic clock
    std::atomic<std::uint64_t> requests;
    std::atomic<std::int64_t> connections;
};

class Scoreboard {
public:
    explicit Scoreboard(std::size_t slots);
    ~Scoreboard();
    Scoreboard(const Scoreboard&) = delete;
    Scoreboard& operator=(const Scoreboard&) = delete;

    // A free slot, reset and marked booting; -1 when full. Arbiter only.
    int claim(std::uint32_t generation);
    void release(int index);
    ScoreboardSlot& slot(int index) { return slots_[index]; }
    std::size_t size() const { return size_; }

    static std::int64_t now_ms();

private:
    ScoreboardSlot* slots_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace hornet
