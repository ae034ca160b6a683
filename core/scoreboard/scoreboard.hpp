// The scoreboard: one slot per worker in memory shared across fork.
//
// The arbiter maps it before the first fork and assigns each worker a slot;
// the worker writes its state, heartbeat and counters there with relaxed
// atomics, and the arbiter reads them to see readiness, stale heartbeats and
// workers at their max_requests. No locks: each field has one writer.
// A worker wakes the arbiter through a pipe made with the map (ready, quota
// reached), so the arbiter reacts to events instead of polling for them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <sys/types.h>

#include "metrics/app_counters.hpp"
#include "metrics/log_counts.hpp"
#include "metrics/request_metrics.hpp"
#include "scoreboard/busy_request.hpp"

namespace hornet {

enum class WorkerState : std::uint32_t { free = 0, booting, ready };

struct ScoreboardSlot {
    std::atomic<pid_t> pid;
    std::atomic<std::uint32_t> generation;
    std::atomic<WorkerState> state;
    std::atomic<std::int64_t> last_beat_ms; // monotonic clock
    std::atomic<std::uint64_t> requests;
    std::atomic<std::int64_t> connections;
    std::uint64_t max_requests; // written by the arbiter before fork; 0 = never recycle
    std::atomic<std::int64_t> in_flight; // requests with the app now
    BusyRequest busy;                    // the latest of them, while any
    metrics::SlotMetrics metrics;        // what it answered (their own cache lines)
};

class Scoreboard {
public:
    explicit Scoreboard(std::size_t slots);
    ~Scoreboard();
    Scoreboard(const Scoreboard&) = delete;
    Scoreboard& operator=(const Scoreboard&) = delete;

    // A free slot, reset and marked booting, its heartbeat at now_ms; -1
    // when full. Arbiter only.
    int claim(std::uint32_t generation, std::int64_t now_ms);
    // The worker is gone: on_release sees its slot one last time.
    void release(int index);
    // [arbiter] Called by release(), before the slot is free (the metrics
    // keep what the worker counted).
    void on_release(std::function<void(const ScoreboardSlot&)> hook) { on_release_ = std::move(hook); }
    ScoreboardSlot& slot(int index) { return slots_[index]; }
    std::size_t size() const { return size_; }
    // The apps' own counters (hornet.metrics/1), after the slots.
    metrics::AppCounters& app_counters() { return *app_counters_; }
    metrics::LogCounts& log_counts() { return header_->log_counts; }

    static std::int64_t now_ms();

    // What the server as a whole is doing (HORNET_SERVER_* flags), for the
    // probes the workers answer. Written by the arbiter, read by any process.
    void set_server_state(std::uint32_t flags) { header_->server_state.store(flags, std::memory_order_relaxed); }
    std::uint32_t server_state() const { return header_->server_state.load(std::memory_order_relaxed); }

    // [any process, any thread] Tell the arbiter to look at the scoreboard.
    void wake() const;
    // The arbiter's end of the wake pipe (non-blocking; drain it when readable).
    int wake_fd() const { return wake_read_; }

private:
    struct Header {
        std::atomic<std::uint32_t> server_state;
        metrics::LogCounts log_counts; // every process's error-log lines
    };
    static_assert(sizeof(Header) <= 64);

    Header* header_ = nullptr; // the map starts with it; the slots follow
    ScoreboardSlot* slots_ = nullptr;
    metrics::AppCounters* app_counters_ = nullptr;
    std::size_t size_ = 0;
    std::function<void(const ScoreboardSlot&)> on_release_;
    int wake_read_ = -1;
    int wake_write_ = -1;
};

} // namespace hornet
