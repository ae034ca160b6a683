// The CPU count behind `workers: auto` and the cgroup memory limit, read from
// fake /proc and /sys/fs/cgroup trees in a temp folder: a v1/v2 hybrid with
// the cpu controller on v1 (as these build machines), pure v2, a container's
// subtree mount, a parent's quota binding its child, and no limit at all.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "process/container_limits.hpp"

namespace hornet {
namespace {

namespace fs = std::filesystem;

class FakeRoot {
public:
    FakeRoot() : dir_(fs::temp_directory_path() / ("hornet-cgroup-" + std::to_string(::getpid()) + "-" +
                                                    std::to_string(counter_++))) {
        fs::create_directories(dir_);
    }
    ~FakeRoot() { fs::remove_all(dir_); }
    void write(const std::string& path, const std::string& text) const {
        fs::path p = dir_ / path.substr(1);
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
    std::string path() const { return dir_.string(); }

private:
    static inline int counter_ = 0;
    fs::path dir_;
};

// A hybrid: cgroup v1 cpu (and memory), with cgroup2 at .../unified.
void hybrid(const FakeRoot& r, const std::string& cpu_path, const std::string& memory_path = "/") {
    r.write("/proc/self/mountinfo",
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
            "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    r.write("/proc/self/cgroup", "4:memory:" + memory_path + "\n2:cpuacct:/\n1:cpu:" + cpu_path + "\n0::/\n");
}

void pure_v2(const FakeRoot& r, const std::string& path) {
    r.write("/proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
    r.write("/proc/self/cgroup", "0::" + path + "\n");
}

TEST(CpuQuota, ParsesCpuMax) {
    EXPECT_FALSE(parse_cpu_max("max 100000\n"));
    auto q = parse_cpu_max("150000 100000\n");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->quota_us, 150000u);
    EXPECT_EQ(q->period_us, 100000u);
    EXPECT_FALSE(parse_cpu_max("lots"));
}

TEST(CpuQuota, ParsesCfsWithMinusOneAsNoLimit) {
    EXPECT_FALSE(parse_cfs("-1\n", "100000\n"));
    auto q = parse_cfs("50000\n", "100000\n");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->cpus(), 1u);
}

TEST(CpuQuota, RoundsUpAndNeverBelowOne) {
    EXPECT_EQ((CpuQuota{100000, 100000, ""}.cpus()), 1u);
    EXPECT_EQ((CpuQuota{100001, 100000, ""}.cpus()), 2u);
    EXPECT_EQ((CpuQuota{150000, 100000, ""}.cpus()), 2u);
    EXPECT_EQ((CpuQuota{10000, 100000, ""}.cpus()), 1u);
    EXPECT_EQ((CpuQuota{400000, 100000, ""}.cpus()), 4u);
}

TEST(AutoWorkers, IsTwiceTheCpusPlusOne) {
    EXPECT_EQ(auto_workers(1), 3u);
    EXPECT_EQ(auto_workers(4), 9u);
    EXPECT_EQ(auto_workers(0), 3u);
    EXPECT_EQ(auto_workers(100000), 1024u);
}

TEST(CpuBudget, AffinityAloneWithoutAQuota) {
    FakeRoot r;
    hybrid(r, "/");
    r.write("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
    r.write("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    CpuBudget b = cpu_budget(8, r.path());
    EXPECT_FALSE(b.quota);
    EXPECT_EQ(b.cpus(), 8u);
    EXPECT_NE(b.describe().find("no cgroup CPU quota"), std::string::npos) << b.describe();
}

TEST(CpuBudget, AV1QuotaOnAHybrid) {
    FakeRoot r;
    hybrid(r, "/app");
    r.write("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
    r.write("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    r.write("/sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "100000\n");
    r.write("/sys/fs/cgroup/cpu/app/cpu.cfs_period_us", "100000\n");
    CpuBudget b = cpu_budget(8, r.path());
    ASSERT_TRUE(b.quota);
    EXPECT_EQ(b.cpus(), 1u);
    EXPECT_EQ(auto_workers(b.cpus()), 3u);
    EXPECT_NE(b.describe().find("cgroup v1 /sys/fs/cgroup/cpu/app/cpu.cfs_quota_us 100000/100000 us"),
              std::string::npos) << b.describe();
}

TEST(CpuBudget, AParentQuotaBindsItsChild) {
    FakeRoot r;
    hybrid(r, "/a/b");
    r.write("/sys/fs/cgroup/cpu/a/cpu.cfs_quota_us", "200000\n");
    r.write("/sys/fs/cgroup/cpu/a/cpu.cfs_period_us", "100000\n");
    r.write("/sys/fs/cgroup/cpu/a/b/cpu.cfs_quota_us", "-1\n");
    r.write("/sys/fs/cgroup/cpu/a/b/cpu.cfs_period_us", "100000\n");
    EXPECT_EQ(cpu_budget(8, r.path()).cpus(), 2u);
}

TEST(CpuBudget, AffinityBelowTheQuotaWins) {
    FakeRoot r;
    hybrid(r, "/app");
    r.write("/sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "400000\n");
    r.write("/sys/fs/cgroup/cpu/app/cpu.cfs_period_us", "100000\n");
    EXPECT_EQ(cpu_budget(2, r.path()).cpus(), 2u);
}

TEST(CpuBudget, AV2CpuMax) {
    FakeRoot r;
    pure_v2(r, "/svc.slice/hornet.service");
    r.write("/sys/fs/cgroup/svc.slice/cpu.max", "max 100000\n");
    r.write("/sys/fs/cgroup/svc.slice/hornet.service/cpu.max", "250000 100000\n");
    CpuBudget b = cpu_budget(16, r.path());
    EXPECT_EQ(b.cpus(), 3u);
    EXPECT_NE(b.describe().find("cgroup v2 /sys/fs/cgroup/svc.slice/hornet.service/cpu.max"), std::string::npos)
        << b.describe();
}

TEST(CpuBudget, AContainerSeesItsOwnCgroupAsTheRoot) {
    FakeRoot r;
    r.write("/proc/self/mountinfo", "30 23 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
    r.write("/proc/self/cgroup", "0::/docker/abc\n");
    r.write("/sys/fs/cgroup/cpu.max", "100000 100000\n");
    EXPECT_EQ(cpu_budget(4, r.path()).cpus(), 1u);
}

TEST(CpuBudget, NoCgroupsAtAll) {
    FakeRoot r;
    EXPECT_EQ(cpu_budget(3, r.path()).cpus(), 3u);
}

TEST(MemoryLimit, V2MemoryMax) {
    FakeRoot r;
    pure_v2(r, "/app");
    r.write("/sys/fs/cgroup/app/memory.max", "536870912\n");
    auto m = cgroup_memory_limit(r.path());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->bytes, 512u << 20);
    EXPECT_EQ(m->source, "/sys/fs/cgroup/app/memory.max");
}

TEST(MemoryLimit, MaxIsNone) {
    FakeRoot r;
    pure_v2(r, "/app");
    r.write("/sys/fs/cgroup/app/memory.max", "max\n");
    EXPECT_FALSE(cgroup_memory_limit(r.path()));
}

TEST(MemoryLimit, V1LimitInBytesOnAHybrid) {
    FakeRoot r;
    hybrid(r, "/", "/jobs/1");
    r.write("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
    r.write("/sys/fs/cgroup/memory/jobs/1/memory.limit_in_bytes", "1073741824\n");
    auto m = cgroup_memory_limit(r.path());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->bytes, 1u << 30);
}

} // namespace
} // namespace hornet
