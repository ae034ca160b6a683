// Container limits from /proc and /sys/fs/cgroup; see container_limits.hpp.
#include "process/container_limits.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sched.h>
#include <sstream>
#include <vector>

namespace hornet {
namespace {

// v1 reports "no limit" as a huge page-rounded number (2^63 - 4096 and so on).
constexpr std::uint64_t no_memory_limit = std::uint64_t{1} << 60;

std::optional<std::string> read_first_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    return line;
}

std::optional<std::uint64_t> to_u64(std::string_view text) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return std::string(s);
}

bool has_item(std::string_view list, std::string_view item) {
    std::stringstream in{std::string(list)};
    for (std::string piece; std::getline(in, piece, ',');)
        if (piece == item) return true;
    return false;
}

// One cgroup hierarchy this process is in: where its folder is mounted.
struct Hierarchy {
    bool v2 = false;
    std::string mount;  // /sys/fs/cgroup/cpu (without root)
    std::string folder; // the process's folder under it, "" for the mount itself
};

// The mount of the v2 hierarchy (controller ""), or of the v1 hierarchy
// with `controller`, and the root of the cgroup tree it shows.
struct Mount {
    std::string root, point;
};

std::optional<Mount> find_mount(const std::string& root, bool v2, std::string_view controller) {
    std::ifstream in(root + "/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        std::istringstream f(line);
        std::string id, parent, dev, mroot, point, opts, word;
        f >> id >> parent >> dev >> mroot >> point >> opts;
        while (f >> word && word != "-") {}
        std::string fstype, source, super;
        f >> fstype >> source >> super;
        if (v2 && fstype == "cgroup2") return Mount{mroot, point};
        if (!v2 && fstype == "cgroup" && has_item(super, controller)) return Mount{mroot, point};
    }
    return std::nullopt;
}

// "0::/a/b" (v2) or "4:cpu,cpuacct:/a/b" (v1).
std::optional<std::string> cgroup_path(const std::string& root, bool v2, std::string_view controller) {
    std::ifstream in(root + "/proc/self/cgroup");
    for (std::string line; std::getline(in, line);) {
        auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == line.npos || second == line.npos) continue;
        std::string_view controllers = std::string_view(line).substr(first + 1, second - first - 1);
        bool match = v2 ? (line.compare(0, first, "0") == 0 && controllers.empty()) : has_item(controllers, controller);
        if (match) return line.substr(second + 1);
    }
    return std::nullopt;
}

std::optional<Hierarchy> hierarchy(const std::string& root, bool v2, std::string_view controller) {
    auto mount = find_mount(root, v2, controller);
    auto path = cgroup_path(root, v2, controller);
    if (!mount || !path) return std::nullopt;
    std::string folder = *path;
    // A mount of a subtree (a container's) shows paths below its root.
    if (mount->root != "/" && folder.starts_with(mount->root)) folder = folder.substr(mount->root.size());
    if (folder == "/") folder.clear();
    return Hierarchy{v2, mount->point, folder};
}

// The process's folder and each parent up to the mount: a parent's limit
// binds its children too.
std::vector<std::string> folders_up(const Hierarchy& h) {
    std::vector<std::string> out;
    std::string folder = h.folder;
    for (;;) {
        out.push_back(h.mount + folder);
        if (folder.empty()) break;
        folder = folder.substr(0, folder.rfind('/'));
    }
    return out;
}

bool tighter(const CpuQuota& a, const CpuQuota& b) {
    return static_cast<long double>(a.quota_us) * b.period_us < static_cast<long double>(b.quota_us) * a.period_us;
}

void keep_tightest(std::optional<CpuQuota>& best, std::optional<CpuQuota> q, std::string source) {
    if (!q) return;
    q->source = std::move(source);
    if (!best || tighter(*q, *best)) best = std::move(q);
}

std::optional<CpuQuota> quota_in(const std::string& root, const Hierarchy& h) {
    std::optional<CpuQuota> best;
    for (const std::string& dir : folders_up(h)) {
        if (h.v2) {
            auto max = read_first_line(root + dir + "/cpu.max");
            if (max) keep_tightest(best, parse_cpu_max(*max), "cgroup v2 " + dir + "/cpu.max");
            continue;
        }
        auto quota = read_first_line(root + dir + "/cpu.cfs_quota_us");
        auto period = read_first_line(root + dir + "/cpu.cfs_period_us");
        if (quota && period)
            keep_tightest(best, parse_cfs(*quota, *period), "cgroup v1 " + dir + "/cpu.cfs_quota_us");
    }
    return best;
}

void keep_lowest(std::optional<MemoryLimit>& best, const std::string& root, const std::string& file) {
    auto text = read_first_line(root + file);
    auto bytes = text ? to_u64(trimmed(*text)) : std::nullopt; // "max": none
    if (!bytes || *bytes >= no_memory_limit) return;
    if (!best || *bytes < best->bytes) best = MemoryLimit{*bytes, file};
}

unsigned affinity_count() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return std::max(1, CPU_COUNT(&set));
}

} // namespace

unsigned CpuQuota::cpus() const {
    if (period_us == 0) return 1;
    return static_cast<unsigned>(std::clamp<std::uint64_t>((quota_us + period_us - 1) / period_us, 1, 1u << 20));
}

unsigned CpuBudget::cpus() const {
    unsigned n = std::max(1u, affinity);
    return quota ? std::min(n, quota->cpus()) : n;
}

std::string CpuBudget::describe() const {
    std::string text = "2 x " + std::to_string(cpus()) + " CPU(s) + 1 = " + std::to_string(auto_workers(cpus())) +
                       "; " + std::to_string(affinity) + " CPU(s) in sched_getaffinity";
    if (!quota) return text + ", no cgroup CPU quota";
    return text + ", " + quota->source + " " + std::to_string(quota->quota_us) + "/" +
           std::to_string(quota->period_us) + " us = " + std::to_string(quota->cpus()) + " CPU(s) rounded up";
}

unsigned auto_workers(unsigned cpus) { return std::min(2 * std::max(1u, cpus) + 1, 1024u); }

std::optional<CpuQuota> parse_cpu_max(std::string_view text) {
    std::istringstream in{trimmed(text)};
    std::string quota, period = "100000";
    in >> quota >> period;
    if (quota == "max") return std::nullopt;
    auto q = to_u64(quota), p = to_u64(period);
    if (!q || !p || *q == 0 || *p == 0) return std::nullopt;
    return CpuQuota{*q, *p, ""};
}

std::optional<CpuQuota> parse_cfs(std::string_view quota, std::string_view period) {
    auto q = to_u64(trimmed(quota)), p = to_u64(trimmed(period)); // "-1" is no number: no limit
    if (!q || !p || *q == 0 || *p == 0) return std::nullopt;
    return CpuQuota{*q, *p, ""};
}

CpuBudget cpu_budget(unsigned affinity, const std::string& root) {
    CpuBudget budget{std::max(1u, affinity), std::nullopt};
    for (bool v2 : {true, false}) {
        auto h = hierarchy(root, v2, "cpu");
        if (!h) continue;
        auto q = quota_in(root, *h);
        if (q && (!budget.quota || tighter(*q, *budget.quota))) budget.quota = std::move(q);
    }
    return budget;
}

CpuBudget detect_cpu_budget() { return cpu_budget(affinity_count()); }

std::optional<MemoryLimit> cgroup_memory_limit(const std::string& root) {
    std::optional<MemoryLimit> best;
    if (auto h = hierarchy(root, true, ""))
        for (const std::string& dir : folders_up(*h)) keep_lowest(best, root, dir + "/memory.max");
    if (auto h = hierarchy(root, false, "memory"))
        for (const std::string& dir : folders_up(*h)) keep_lowest(best, root, dir + "/memory.limit_in_bytes");
    return best;
}

} // namespace hornet
