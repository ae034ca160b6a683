// What a container (or any cgroup and CPU mask) allows this process: the
// CPUs it may use, for the default `workers`, and the memory limit, to warn
// when workers x max_worker_memory cannot fit. Read from sched_getaffinity,
// /proc/self/mountinfo, /proc/self/cgroup and the cgroup files, v2 and v1
// alike (a v1/v2 hybrid has the cpu controller on v1). Pre-fork, arbiter
// only; `root` prefixes every path so tests read a fake tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hornet {

// A CPU quota: `quota_us` of CPU time every `period_us`.
struct CpuQuota {
    std::uint64_t quota_us = 0;
    std::uint64_t period_us = 0;
    std::string source; // "cgroup v1 /sys/fs/cgroup/cpu/x (cpu.cfs_quota_us/cpu.cfs_period_us)"
    // quota/period rounded up, at least 1: 1.5 CPUs is 2.
    unsigned cpus() const;
};

struct CpuBudget {
    unsigned affinity = 1;         // CPUs in the sched_getaffinity mask
    std::optional<CpuQuota> quota; // the tightest quota on the cgroup path, if any
    // min(affinity, quota rounded up), at least 1.
    unsigned cpus() const;
    // "2 x 1 CPU + 1 = 3: 2 CPU(s) in sched_getaffinity, cgroup v1 ... 100000/100000 us = 1 CPU"
    std::string describe() const;
};

// workers for `auto` (and the default): 2 x cpus + 1, as Gunicorn's
// formula, at most 1024.
unsigned auto_workers(unsigned cpus);

// cpu.max ("max 100000", "150000 100000"): nullopt for no limit or bad text.
std::optional<CpuQuota> parse_cpu_max(std::string_view text);
// cpu.cfs_quota_us and cpu.cfs_period_us: -1 is no limit.
std::optional<CpuQuota> parse_cfs(std::string_view quota, std::string_view period);

CpuBudget cpu_budget(unsigned affinity, const std::string& root = "");
// With this process's sched_getaffinity mask.
CpuBudget detect_cpu_budget();

struct MemoryLimit {
    std::uint64_t bytes = 0;
    std::string source; // "cgroup v2 /sys/fs/cgroup/x/memory.max"
};
// The tightest cgroup memory limit on the path (v2 memory.max, v1
// memory.limit_in_bytes), if any.
std::optional<MemoryLimit> cgroup_memory_limit(const std::string& root = "");

} // namespace hornet
