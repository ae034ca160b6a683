// The system calls behind the arbiter's decisions: fork a worker, signal it,
// reap it, read the clock and a worker's memory. An interface so that the decisions (Reconciler,
// Supervisor) run unchanged against a fake in tests/unit/arbiter, without
// fork; PosixSystem is the one hornet runs. Arbiter thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <sys/types.h>

namespace hornet {

// What max_worker_memory measures: resident pages (RSS, pages shared with the
// arbiter and other workers counted in full), or the proportional share
// (PSS: a page shared by n processes counts 1/n; dearer to read).
enum class MemoryMetric { rss, pss };

class System {
public:
    virtual ~System() = default;

    // Forks; the child runs `child` (which must not return). Returns the
    // child's pid, or -1 with errno set.
    virtual pid_t fork_worker(const std::function<void()>& child) = 0;
    virtual void kill(pid_t pid, int sig) = 0;
    // One exited child, without blocking: its pid and waitpid status; 0 when
    // none has exited, -1 when there are no children.
    virtual pid_t reap_one(int& status) = 0;
    // Monotonic milliseconds, the clock of the scoreboard's heartbeats.
    virtual std::int64_t now_ms() = 0;
    // A child's memory in bytes, from /proc; nullopt when it cannot be read
    // (the child is gone, or /proc says nothing).
    virtual std::optional<std::uint64_t> memory_bytes(pid_t pid, MemoryMetric metric) = 0;
};

class PosixSystem final : public System {
public:
    // Blocks every signal around fork() so that no handler of the arbiter's
    // can run in the child before the child has installed its own.
    pid_t fork_worker(const std::function<void()>& child) override;
    void kill(pid_t pid, int sig) override;
    pid_t reap_one(int& status) override;
    std::int64_t now_ms() override;
    // RSS from /proc/PID/statm, PSS from /proc/PID/smaps_rollup.
    std::optional<std::uint64_t> memory_bytes(pid_t pid, MemoryMetric metric) override;
};

} // namespace hornet
