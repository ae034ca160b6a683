// The arbiter's decisions, driven through Reconciler::reconcile() as the
// daemon drives them, but against a fake System (fork hands out pids, kill
// records signals, the clock moves only when a test moves it) and a fake
// ArbiterShell. The Supervisor and the Scoreboard are the real ones: a test
// makes a worker ready, busy or silent by writing its scoreboard slot, as the
// worker process would.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include <hornet/worker.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "arbiter/reconciler.hpp"

namespace hornet {
namespace {

class FakeSystem final : public System {
public:
    std::int64_t now = 1'000'000;
    std::vector<std::pair<pid_t, int>> sent;  // every kill(), in order
    std::deque<std::pair<pid_t, int>> exited; // what reap_one() returns next
    std::map<pid_t, std::uint64_t> memory;    // what memory_bytes() says; absent: unreadable
    int memory_reads = 0;
    MemoryMetric last_metric = MemoryMetric::rss;

    pid_t fork_worker(const std::function<void()>&) override { return next_pid_++; }
    void kill(pid_t pid, int sig) override { sent.emplace_back(pid, sig); }
    pid_t reap_one(int& status) override {
        if (exited.empty()) return 0;
        auto [pid, st] = exited.front();
        exited.pop_front();
        status = st;
        return pid;
    }
    std::int64_t now_ms() override { return now; }
    std::optional<std::uint64_t> memory_bytes(pid_t pid, MemoryMetric metric) override {
        ++memory_reads;
        last_metric = metric;
        auto it = memory.find(pid);
        if (it == memory.end()) return std::nullopt;
        return it->second;
    }
    pid_t forked() const { return next_pid_ - first_pid; }

    static constexpr pid_t first_pid = 100;

private:
    pid_t next_pid_ = first_pid;
};

class FakeShell final : public ArbiterShell {
public:
    int promoted = 0;
    int reloads = 0;
    int stopped = 0;
    std::vector<std::uint32_t> dropped;
    std::vector<std::int64_t> wakes;
    std::vector<pid_t> others;
    std::vector<ReloadOutcome> outcomes;

    void run_worker(std::uint32_t, ScoreboardSlot&, int) override { FAIL() << "the fake never forks"; }
    void on_other_child(pid_t pid, int) override { others.push_back(pid); }
    void on_promoted() override { ++promoted; }
    void on_reload_finished(const ReloadOutcome& outcome) override { outcomes.push_back(outcome); }
    void reload() override { ++reloads; }
    void drop_generation(std::uint32_t generation) override { dropped.push_back(generation); }
    void wake_at(std::int64_t ms) override { wakes.push_back(ms); }
    void on_stopped() override { ++stopped; }
};

// The log lines written while it lives, as an operator would read them.
class LogCapture {
public:
    LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)), saved_(spdlog::default_logger()) {
        auto logger = std::make_shared<spdlog::logger>("capture", sink_);
        logger->set_pattern("%v");
        logger->set_level(spdlog::level::info);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(saved_); }
    bool contains(const std::string& text) const {
        auto lines = sink_->last_formatted();
        return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != l.npos; });
    }

private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
    std::shared_ptr<spdlog::logger> saved_;
};

int exited_with(int code) { return code << 8; } // as waitpid reports it
int killed_by(int sig) { return sig; }

// Without stack dumps before a timeout kill (dump_timeout 0): the tests of
// the dumps use dump_plan().
WorkerPlan plan(unsigned workers) {
    WorkerPlan p;
    p.name = "test generation";
    p.workers = workers;
    p.timeout_ms = 30000;
    p.dump_timeout_ms = 0;
    p.graceful_timeout_ms = 5000;
    return p;
}

WorkerPlan dump_plan(unsigned workers) {
    WorkerPlan p = plan(workers);
    p.dump_timeout_ms = 2000;
    return p;
}

class ReconcilerTest : public testing::Test {
protected:
    ReconcilerTest() { spdlog::set_level(spdlog::level::off); }

    Scoreboard board{64};
    FakeSystem sys;
    Supervisor sup{board, sys};
    FakeShell shell;
    Reconciler arbiter{sup, sys, shell};

    void start(WorkerPlan p = plan(3)) {
        arbiter.serve(1, std::move(p));
        arbiter.reconcile();
    }
    void reload(WorkerPlan p = plan(3)) {
        arbiter.begin_reload(2, std::move(p));
        arbiter.reconcile();
    }
    ScoreboardSlot& slot(pid_t pid) { return sup.slot_of(sup.workers().at(pid)); }
    void ready(pid_t pid) { slot(pid).state = WorkerState::ready; }
    void ready_all(std::uint32_t generation) {
        for (pid_t pid : sup.pids_of(generation)) ready(pid);
    }
    void beat_all() {
        for (auto& [pid, w] : sup.workers()) sup.slot_of(w).last_beat_ms = sys.now;
    }
    // The worker exits and the arbiter hears of it (SIGCHLD, then reconcile).
    void exits(pid_t pid, int status = exited_with(0)) {
        sys.exited.emplace_back(pid, status);
        arbiter.reconcile();
    }
    void exit_all() {
        for (auto& [pid, w] : sup.workers()) sys.exited.emplace_back(pid, killed_by(SIGTERM));
        arbiter.reconcile();
    }
    void advance(std::int64_t ms) {
        sys.now += ms;
        arbiter.reconcile();
    }
    std::size_t serving(std::uint32_t generation = 1) const { return sup.serving(generation); }
    int sent(pid_t pid, int sig) const {
        return static_cast<int>(std::count(sys.sent.begin(), sys.sent.end(), std::pair{pid, sig}));
    }
    int sent_to_all(int sig) const {
        return static_cast<int>(std::count_if(sys.sent.begin(), sys.sent.end(), [sig](auto& s) { return s.second == sig; }));
    }
    pid_t any_worker(std::uint32_t generation = 1) const { return sup.pids_of(generation).front(); }
    // Starts p's workers, makes them ready and lets every heartbeat go
    // stale by 1 ms; returns one of them.
    pid_t time_out(const WorkerPlan& p) {
        start(p);
        ready_all(1);
        const pid_t hung = any_worker();
        advance(p.timeout_ms + 1);
        return hung;
    }
};

// --- start and the worker count ---------------------------------------------

TEST_F(ReconcilerTest, StartSpawnsTheConfiguredWorkers) {
    start(plan(3));
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_EQ(serving(), 3u);
}

TEST_F(ReconcilerTest, ReconcileWithNothingChangedDoesNothing) {
    start(plan(3));
    ready_all(1);
    arbiter.reconcile();
    arbiter.reconcile();
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_TRUE(sys.sent.empty());
}

TEST_F(ReconcilerTest, AWorkerThatDiesIsReplaced) {
    start(plan(3));
    ready_all(1);
    pid_t dead = any_worker();
    exits(dead, killed_by(SIGSEGV));
    EXPECT_EQ(sys.forked(), 4);
    EXPECT_EQ(serving(), 3u);
    EXPECT_FALSE(sup.workers().contains(dead));
}

TEST_F(ReconcilerTest, TtinAddsAWorker) {
    start(plan(2));
    arbiter.add_worker();
    arbiter.reconcile();
    EXPECT_EQ(serving(), 3u);
    EXPECT_EQ(arbiter.plan(1).workers, 3u);
}

TEST_F(ReconcilerTest, TtouRetiresTheNewestWorker) {
    start(plan(3));
    arbiter.remove_worker();
    arbiter.reconcile();
    const pid_t newest = FakeSystem::first_pid + 2; // worker id 3
    EXPECT_EQ(sent(newest, SIGTERM), 1);
    EXPECT_EQ(sys.sent.size(), 1u);
    EXPECT_EQ(serving(), 2u);
}

TEST_F(ReconcilerTest, ARetiredWorkerIsNotReplacedWhenItExits) {
    start(plan(3));
    arbiter.remove_worker();
    arbiter.reconcile();
    exits(FakeSystem::first_pid + 2);
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_EQ(serving(), 2u);
}

TEST_F(ReconcilerTest, TtouNeverGoesBelowOne) {
    start(plan(2));
    for (int i = 0; i < 3; ++i) arbiter.remove_worker();
    arbiter.reconcile();
    EXPECT_EQ(arbiter.plan(1).workers, 1u);
    EXPECT_EQ(serving(), 1u);
}

TEST_F(ReconcilerTest, WinchStopsEveryWorkerButNotTheArbiter) {
    start(plan(3));
    arbiter.stop_workers();
    arbiter.reconcile();
    EXPECT_EQ(sent_to_all(SIGTERM), 3);
    exit_all();
    EXPECT_EQ(serving(), 0u);
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_EQ(shell.stopped, 0);
    EXPECT_FALSE(arbiter.stopping());
}

TEST_F(ReconcilerTest, AChildThatIsNoWorkerGoesToTheShell) {
    start(plan(1));
    exits(4242, exited_with(0));
    EXPECT_EQ(shell.others, std::vector<pid_t>{4242});
    EXPECT_EQ(serving(), 1u);
}

// --- workers that cannot boot ------------------------------------------------

TEST_F(ReconcilerTest, ABootFailureWithNoneServingHalts) {
    start(plan(3));
    exits(any_worker(), exited_with(HORNET_EXIT_BOOT_FAILED));
    EXPECT_TRUE(arbiter.stopping());
    EXPECT_EQ(arbiter.exit_code(), HORNET_EXIT_BOOT_FAILED);
    EXPECT_EQ(sent_to_all(SIGQUIT), 2); // the other two, booting, leave at once
    EXPECT_EQ(sys.forked(), 3);         // and nothing is forked again
}

TEST_F(ReconcilerTest, AHaltFinishesOnceTheLastWorkerIsGone) {
    start(plan(2));
    exits(any_worker(), exited_with(HORNET_EXIT_BOOT_FAILED));
    EXPECT_EQ(shell.stopped, 0);
    exit_all();
    EXPECT_EQ(shell.stopped, 1);
    arbiter.reconcile();
    EXPECT_EQ(shell.stopped, 1);
}

TEST_F(ReconcilerTest, FiveEarlyDeathsInARowWithNoneServingHalt) {
    start(plan(1));
    for (int i = 0; i < 4; ++i) {
        exits(any_worker(), exited_with(1));
        EXPECT_FALSE(arbiter.stopping()) << "death " << i + 1;
    }
    exits(any_worker(), exited_with(1));
    EXPECT_TRUE(arbiter.stopping());
    EXPECT_EQ(arbiter.exit_code(), HORNET_EXIT_BOOT_FAILED);
}

TEST_F(ReconcilerTest, AWorkerThatServedResetsTheCountOfEarlyDeaths) {
    start(plan(1));
    for (int i = 0; i < 4; ++i) exits(any_worker(), exited_with(1));
    ready(any_worker());
    exits(any_worker(), killed_by(SIGSEGV));
    for (int i = 0; i < 4; ++i) exits(any_worker(), exited_with(1));
    EXPECT_FALSE(arbiter.stopping());
}

TEST_F(ReconcilerTest, ABootFailureWhileOthersServeBacksOffOneSecond) {
    start(plan(3));
    ready_all(1);
    exits(any_worker(), exited_with(HORNET_EXIT_BOOT_FAILED)); // a ready one: no failure
    pid_t fresh = FakeSystem::first_pid + 3;
    exits(fresh, exited_with(HORNET_EXIT_BOOT_FAILED));
    EXPECT_FALSE(arbiter.stopping());
    EXPECT_EQ(serving(), 2u);
    advance(999);
    EXPECT_EQ(serving(), 2u) << "no fork during the pause";
    advance(1);
    EXPECT_EQ(serving(), 3u);
}

TEST_F(ReconcilerTest, TheBackOffDoublesUpToThirtySeconds) {
    start(plan(2));
    ready_all(1);
    arbiter.add_worker();
    arbiter.reconcile();
    const std::int64_t expected[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (std::int64_t pause : expected) {
        pid_t booting = sup.workers().rbegin()->first;
        beat_all(); // the two that serve stay healthy through the pauses
        exits(booting, exited_with(HORNET_EXIT_BOOT_FAILED));
        advance(pause - 1);
        EXPECT_EQ(serving(), 2u) << "pause " << pause;
        advance(1);
        EXPECT_EQ(serving(), 3u) << "pause " << pause;
    }
}

// --- reload ------------------------------------------------------------------

TEST_F(ReconcilerTest, AReloadBootsTheNewGenerationBesideTheOld) {
    start(plan(3));
    ready_all(1);
    reload(plan(2));
    EXPECT_TRUE(arbiter.reloading());
    EXPECT_EQ(serving(1), 3u);
    EXPECT_EQ(serving(2), 2u);
    EXPECT_EQ(arbiter.active(), 1u);
    EXPECT_TRUE(sys.sent.empty());
}

TEST_F(ReconcilerTest, AReloadIsPromotedOnlyWhenEveryNewWorkerIsReady) {
    start(plan(2));
    ready_all(1);
    reload(plan(2));
    ready(sup.pids_of(2).front());
    arbiter.reconcile();
    EXPECT_EQ(arbiter.active(), 1u);
    ready_all(2);
    arbiter.reconcile();
    EXPECT_EQ(arbiter.active(), 2u);
    EXPECT_FALSE(arbiter.reloading());
    EXPECT_EQ(shell.promoted, 1);
}

TEST_F(ReconcilerTest, APromotionRetiresTheOldGenerationAndDropsItWhenGone) {
    start(plan(2));
    ready_all(1);
    const auto old = sup.pids_of(1);
    reload(plan(2));
    ready_all(2);
    arbiter.reconcile();
    for (pid_t pid : old) EXPECT_EQ(sent(pid, SIGTERM), 1);
    EXPECT_TRUE(shell.dropped.empty()) << "kept while its workers finish";
    for (pid_t pid : old) exits(pid, exited_with(0));
    EXPECT_EQ(shell.dropped, std::vector<std::uint32_t>{1});
    EXPECT_EQ(sys.forked(), 4) << "the old workers are not replaced";
}

TEST_F(ReconcilerTest, AReloadAbortsWhenANewWorkerDies) {
    start(plan(2));
    ready_all(1);
    reload(plan(2));
    const auto fresh = sup.pids_of(2);
    exits(fresh.front(), exited_with(1));
    EXPECT_FALSE(arbiter.reloading());
    EXPECT_EQ(arbiter.active(), 1u);
    EXPECT_EQ(sent(fresh.back(), SIGQUIT), 1);
    EXPECT_EQ(serving(1), 2u) << "the old generation serves on";
    EXPECT_FALSE(arbiter.stopping()) << "a reload's failure is no boot failure";
    exits(fresh.back(), killed_by(SIGQUIT));
    EXPECT_EQ(shell.dropped, std::vector<std::uint32_t>{2});
}

TEST_F(ReconcilerTest, ACutoverRetiresTheOldGenerationBeforeTheNewOneBoots) {
    start(plan(2));
    ready_all(1);
    const auto old = sup.pids_of(1);
    arbiter.begin_reload(2, plan(2), true);
    arbiter.reconcile();
    for (pid_t pid : old) EXPECT_EQ(sent(pid, SIGTERM), 1) << "told to leave before the new ones are ready";
    EXPECT_EQ(serving(1), 0u);
    EXPECT_EQ(serving(2), 2u);
    for (pid_t pid : old) exits(pid, exited_with(0));
    EXPECT_EQ(sys.forked(), 4) << "the old workers are not replaced while the new ones boot";
    EXPECT_TRUE(shell.dropped.empty()) << "the old generation is kept until the new one is promoted";
    ready_all(2);
    arbiter.reconcile();
    EXPECT_EQ(arbiter.active(), 2u);
    EXPECT_EQ(shell.dropped, std::vector<std::uint32_t>{1});
    EXPECT_EQ(arbiter.restarts().reload, 2u) << "each old worker counted once";
    for (pid_t pid : old) EXPECT_EQ(sent(pid, SIGTERM), 1) << "not told twice";
}

TEST_F(ReconcilerTest, AFailedCutoverStartsTheOldGenerationAgain) {
    start(plan(2));
    ready_all(1);
    arbiter.begin_reload(2, plan(2), true);
    arbiter.reconcile();
    exits(sup.pids_of(2).front(), exited_with(1));
    EXPECT_FALSE(arbiter.reloading());
    EXPECT_EQ(arbiter.active(), 1u);
    EXPECT_EQ(serving(1), 2u) << "two new workers of the old generation";
    EXPECT_EQ(sys.forked(), 6);
}

TEST_F(ReconcilerTest, ReloadsAndTheWorkersTheyReplaceAreCounted) {
    start(plan(2));
    ready_all(1);
    EXPECT_TRUE(arbiter.reloads().last_succeeded) << "no reload yet";
    EXPECT_EQ(arbiter.reloads().last_unix_ms, 0);
    reload(plan(2));
    ready_all(2);
    arbiter.reconcile();
    EXPECT_EQ(arbiter.restarts().reload, 2u);
    EXPECT_EQ(arbiter.reloads().succeeded, 1u);
    EXPECT_GT(arbiter.reloads().last_unix_ms, 0);
    for (pid_t pid : sup.pids_of(1)) exits(pid, exited_with(0));
    EXPECT_EQ(arbiter.restarts().died, 0u) << "a replaced worker's exit is no crash";
    arbiter.begin_reload(3, plan(2));
    arbiter.reconcile();
    exits(sup.pids_of(3).front(), exited_with(1));
    EXPECT_EQ(arbiter.reloads().failed, 1u);
    EXPECT_FALSE(arbiter.reloads().last_succeeded);
    arbiter.note_reload_failed();
    EXPECT_EQ(arbiter.reloads().failed, 2u);
    EXPECT_EQ(arbiter.restarts().reload, 2u) << "a failed reload replaces nobody";
}

TEST_F(ReconcilerTest, AReloadAbortsWhenItsDeadlinePasses) {
    start(plan(2));
    ready_all(1);
    WorkerPlan p = plan(2);
    p.timeout_ms = 10000;
    reload(p);
    beat_all();
    advance(10000);
    EXPECT_TRUE(arbiter.reloading());
    beat_all();
    advance(1);
    EXPECT_FALSE(arbiter.reloading());
    EXPECT_EQ(arbiter.active(), 1u);
    for (pid_t pid : sup.pids_of(2)) EXPECT_EQ(sent(pid, SIGQUIT), 1);
    for (pid_t pid : sup.pids_of(1)) EXPECT_EQ(sent(pid, SIGTERM), 0);
}

TEST_F(ReconcilerTest, TheDeadlineMessageNamesTheTimeout) {
    start(plan(1));
    ready_all(1);
    WorkerPlan p = plan(1);
    p.timeout_ms = 10000;
    reload(p);
    LogCapture log;
    advance(10001);
    EXPECT_TRUE(log.contains("Reload failed: the new workers were not ready within timeout (10000 ms)"));
}

TEST_F(ReconcilerTest, WithoutATimeoutTheDeadlineMessageNamesTheBudget) {
    WorkerPlan p = plan(1);
    p.timeout_ms = 0;
    start(p);
    ready_all(1);
    reload(p);
    advance(30000);
    EXPECT_TRUE(arbiter.reloading()) << "timeout 0 still gives a reload 30 s";
    LogCapture log;
    advance(1);
    EXPECT_FALSE(arbiter.reloading());
    EXPECT_TRUE(log.contains("not ready within 30000 ms;")) << "not 'within timeout (0 ms)'";
}

TEST_F(ReconcilerTest, ANewWorkerThatCannotBootAbortsTheReloadButDoesNotHalt) {
    start(plan(2));
    ready_all(1);
    reload(plan(2));
    exits(any_worker(2), exited_with(HORNET_EXIT_BOOT_FAILED));
    EXPECT_FALSE(arbiter.reloading());
    EXPECT_FALSE(arbiter.stopping());
    EXPECT_EQ(arbiter.exit_code(), 0);
}

TEST_F(ReconcilerTest, TtinDuringAReloadGrowsTheServingGeneration) {
    start(plan(2));
    ready_all(1);
    reload(plan(2));
    arbiter.add_worker();
    arbiter.reconcile();
    EXPECT_EQ(serving(1), 3u);
    EXPECT_EQ(serving(2), 2u);
    EXPECT_EQ(arbiter.plan(2).workers, 2u);
}

TEST_F(ReconcilerTest, AHupAfterWinchStartsWorkersAgain) {
    start(plan(2));
    arbiter.stop_workers();
    arbiter.reconcile();
    exit_all();
    reload(plan(2));
    ready_all(2);
    arbiter.reconcile();
    EXPECT_EQ(arbiter.active(), 2u);
    EXPECT_EQ(serving(2), 2u);
    EXPECT_EQ(shell.dropped, std::vector<std::uint32_t>{1});
}

TEST_F(ReconcilerTest, AStopDuringAReloadStopsBothGenerations) {
    start(plan(2));
    ready_all(1);
    reload(plan(2));
    arbiter.stop(true);
    arbiter.reconcile();
    EXPECT_EQ(sent_to_all(SIGTERM), 4);
    ready_all(2);
    arbiter.reconcile();
    EXPECT_EQ(arbiter.active(), 1u) << "no promotion while stopping";
    EXPECT_EQ(shell.promoted, 0);
    exit_all();
    EXPECT_EQ(shell.stopped, 1);
    EXPECT_TRUE(shell.dropped.empty()) << "the stop closes everything itself";
}

TEST_F(ReconcilerTest, AHupDuringAReloadReloadsAgainAfterThePromotion) {
    start(plan(1));
    ready_all(1);
    reload(plan(1));
    arbiter.reload_again();
    arbiter.reconcile();
    EXPECT_EQ(shell.reloads, 0);
    ready_all(2);
    arbiter.reconcile();
    EXPECT_EQ(shell.reloads, 1);
}

TEST_F(ReconcilerTest, AHupDuringAFailedReloadIsForgotten) {
    start(plan(1));
    ready_all(1);
    reload(plan(1));
    arbiter.reload_again();
    exits(any_worker(2), exited_with(1));
    EXPECT_FALSE(arbiter.reloading());
    EXPECT_EQ(shell.reloads, 0);
}

TEST_F(ReconcilerTest, AReloadToZeroWorkersIsPromotedAtOnce) {
    start(plan(1));
    ready_all(1);
    reload(plan(0));
    EXPECT_EQ(arbiter.active(), 2u);
    EXPECT_EQ(serving(2), 0u);
}

TEST_F(ReconcilerTest, APromotionClearsTheBootBackOff) {
    start(plan(2));
    ready_all(1);
    exits(any_worker(), exited_with(HORNET_EXIT_BOOT_FAILED)); // ready: no failure
    exits(FakeSystem::first_pid + 2, exited_with(HORNET_EXIT_BOOT_FAILED)); // a back-off of 1 s
    reload(plan(2));
    ready_all(2);
    arbiter.reconcile();
    arbiter.add_worker();
    arbiter.reconcile();
    EXPECT_EQ(serving(2), 3u) << "forked at once, within the old generation's pause";
}

// --- recycling at max_requests -----------------------------------------------

WorkerPlan recycling_plan(unsigned workers) {
    WorkerPlan p = plan(workers);
    p.max_requests = 100;
    return p;
}

TEST_F(ReconcilerTest, AWorkerAtItsQuotaGetsItsReplacementFirst) {
    start(recycling_plan(2));
    ready_all(1);
    pid_t tired = any_worker();
    slot(tired).requests = 100;
    arbiter.reconcile();
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_EQ(sent(tired, SIGTERM), 0) << "it serves until the replacement is ready";
}

TEST_F(ReconcilerTest, TheOldWorkerLeavesOnceItsReplacementIsReady) {
    start(recycling_plan(2));
    ready_all(1);
    pid_t tired = any_worker();
    slot(tired).requests = 100;
    arbiter.reconcile();
    pid_t replacement = FakeSystem::first_pid + 2;
    ready(replacement);
    arbiter.reconcile();
    EXPECT_EQ(sent(tired, SIGTERM), 1);
    exits(tired);
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_EQ(serving(), 2u);
}

TEST_F(ReconcilerTest, WorkersAreRecycledOneAtATime) {
    start(recycling_plan(3));
    ready_all(1);
    for (pid_t pid : sup.pids_of(1)) slot(pid).requests = 100;
    arbiter.reconcile();
    arbiter.reconcile();
    EXPECT_EQ(sys.forked(), 4);
    ready(FakeSystem::first_pid + 3);
    arbiter.reconcile();
    EXPECT_EQ(sys.forked(), 5) << "the next one starts once the first is replaced";
    EXPECT_EQ(sent_to_all(SIGTERM), 1);
}

TEST_F(ReconcilerTest, TheOldWorkerServesOnWhenItsReplacementDiesBeforeReady) {
    start(recycling_plan(2));
    ready_all(1);
    pid_t tired = any_worker();
    slot(tired).requests = 100;
    arbiter.reconcile();
    exits(FakeSystem::first_pid + 2, killed_by(SIGSEGV));
    EXPECT_TRUE(sys.sent.empty()) << "the old worker is not told to leave";
    ASSERT_TRUE(sup.workers().contains(tired));
    EXPECT_FALSE(sup.workers().at(tired).retiring);
    EXPECT_EQ(sys.forked(), 4) << "one early death is no back-off: a new replacement at once";
    ready(FakeSystem::first_pid + 3);
    arbiter.reconcile();
    EXPECT_EQ(sent(tired, SIGTERM), 1) << "it leaves once a replacement is ready";
    exits(tired);
    EXPECT_EQ(serving(), 2u);
    EXPECT_EQ(sys.forked(), 4);
}

TEST_F(ReconcilerTest, AReplacementThatCannotBootBacksOffWhileTheOldWorkerServes) {
    start(recycling_plan(1));
    ready_all(1);
    pid_t tired = any_worker();
    slot(tired).requests = 100;
    arbiter.reconcile();
    ASSERT_EQ(sys.forked(), 2);
    LogCapture log;
    exits(FakeSystem::first_pid + 1, exited_with(HORNET_EXIT_BOOT_FAILED));
    EXPECT_FALSE(arbiter.stopping()) << "the old worker still serves";
    EXPECT_TRUE(log.contains("1 worker(s) still serve; trying again in 1 s"));
    EXPECT_EQ(sent(tired, SIGTERM), 0);
    advance(999);
    EXPECT_EQ(sys.forked(), 2) << "no replacement during the pause";
    advance(1);
    EXPECT_EQ(sys.forked(), 3) << "recycling is tried again after the pause";
    ready(FakeSystem::first_pid + 2);
    arbiter.reconcile();
    EXPECT_EQ(sent(tired, SIGTERM), 1);
}

TEST_F(ReconcilerTest, AWorkerThatDiesAwaitingItsReplacementIsNotReplacedTwice) {
    start(recycling_plan(2));
    ready_all(1);
    pid_t tired = any_worker();
    slot(tired).requests = 100;
    arbiter.reconcile();
    exits(tired, killed_by(SIGSEGV));
    EXPECT_EQ(sys.forked(), 3) << "the replacement already takes its place";
    EXPECT_EQ(serving(), 2u);
}

TEST_F(ReconcilerTest, WinchDuringRecyclingStopsTheWorkerAwaitingItsReplacement) {
    start(recycling_plan(1));
    ready_all(1);
    pid_t tired = any_worker();
    slot(tired).requests = 100;
    arbiter.reconcile();
    arbiter.stop_workers();
    arbiter.reconcile();
    EXPECT_EQ(sent(tired, SIGTERM), 1);
    EXPECT_EQ(sent(FakeSystem::first_pid + 1, SIGTERM), 1);
    exit_all();
    EXPECT_EQ(sys.forked(), 2);
    EXPECT_FALSE(arbiter.stopping());
}

TEST_F(ReconcilerTest, NoRecyclingStartsDuringAReload) {
    start(recycling_plan(2));
    ready_all(1);
    reload(recycling_plan(2));
    slot(any_worker(1)).requests = 100;
    arbiter.reconcile();
    EXPECT_EQ(sys.forked(), 4);
}

// --- memory: max_worker_memory and max_worker_memory_hard --------------------

constexpr std::uint64_t MiB = 1024 * 1024;

WorkerPlan memory_plan(unsigned workers, std::uint64_t soft = 64 * MiB, std::uint64_t hard = 0) {
    WorkerPlan p = plan(workers);
    p.max_worker_memory = soft;
    p.max_worker_memory_hard = hard;
    p.memory_check_interval_ms = 1000;
    return p;
}

TEST_F(ReconcilerTest, AWorkerPastMaxWorkerMemoryGetsItsReplacementFirst) {
    LogCapture log;
    start(memory_plan(2));
    ready_all(1);
    for (pid_t pid : sup.pids_of(1)) sys.memory[pid] = 10 * MiB;
    pid_t fat = any_worker();
    sys.memory[fat] = 70 * MiB;
    advance(1000);
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_EQ(sent(fat, SIGTERM), 0) << "it serves until the replacement is ready";
    EXPECT_TRUE(log.contains("Worker with pid " + std::to_string(fat) +
                             " uses 70.0 MiB (RSS), past max_worker_memory 64.0 MiB: replacing it"));
    ready(FakeSystem::first_pid + 2);
    arbiter.reconcile();
    EXPECT_EQ(sent(fat, SIGTERM), 1);
    EXPECT_EQ(sent(fat, SIGKILL), 0) << "graceful";
    exits(fat);
    EXPECT_EQ(sys.forked(), 3) << "the replacement was the one";
    EXPECT_EQ(serving(), 2u);
    EXPECT_EQ(arbiter.restarts().max_worker_memory, 1u);
    EXPECT_EQ(arbiter.restarts().max_requests, 0u);
}

TEST_F(ReconcilerTest, AtTheLimitIsNotPastIt) {
    start(memory_plan(1));
    ready_all(1);
    sys.memory[any_worker()] = 64 * MiB;
    advance(1000);
    EXPECT_EQ(sys.forked(), 1);
}

TEST_F(ReconcilerTest, WorkersPastMaxWorkerMemoryAreRecycledOneAtATime) {
    start(memory_plan(3));
    ready_all(1);
    for (pid_t pid : sup.pids_of(1)) sys.memory[pid] = 100 * MiB;
    advance(1000);
    advance(1000);
    EXPECT_EQ(sys.forked(), 4);
    sys.memory[FakeSystem::first_pid + 3] = 10 * MiB;
    ready(FakeSystem::first_pid + 3);
    arbiter.reconcile();
    EXPECT_EQ(sent_to_all(SIGTERM), 1);
    EXPECT_EQ(sys.forked(), 5) << "the next one starts once the first is replaced";
    arbiter.reconcile();
    EXPECT_EQ(sys.forked(), 5);
}

TEST_F(ReconcilerTest, MemoryIsReadAtTheInterval) {
    start(memory_plan(2));
    ready_all(1);
    advance(1000);
    const int first = sys.memory_reads;
    EXPECT_EQ(first, 2) << "one reading per worker";
    arbiter.reconcile();
    advance(999);
    EXPECT_EQ(sys.memory_reads, first);
    advance(1);
    EXPECT_EQ(sys.memory_reads, first + 2);
}

TEST_F(ReconcilerTest, WithoutALimitMemoryIsNeverRead) {
    start(plan(2));
    advance(5000);
    EXPECT_EQ(sys.memory_reads, 0);
}

TEST_F(ReconcilerTest, ThePssMetricIsAskedFor) {
    WorkerPlan p = memory_plan(1);
    p.memory_metric = MemoryMetric::pss;
    LogCapture log;
    start(p);
    ready_all(1);
    sys.memory[any_worker()] = 65 * MiB;
    advance(1000);
    EXPECT_EQ(sys.last_metric, MemoryMetric::pss);
    EXPECT_TRUE(log.contains("uses 65.0 MiB (PSS), past max_worker_memory"));
}

TEST_F(ReconcilerTest, AWorkerPastTheHardLimitIsKilledAtOnceAndReplaced) {
    LogCapture log;
    start(memory_plan(2, 64 * MiB, 128 * MiB));
    ready_all(1);
    pid_t huge = any_worker();
    sys.memory[huge] = 200 * MiB;
    advance(1000);
    EXPECT_EQ(sent(huge, SIGKILL), 1);
    EXPECT_EQ(sent(huge, SIGTERM), 0);
    EXPECT_TRUE(log.contains("Worker with pid " + std::to_string(huge) +
                             " uses 200.0 MiB (RSS), past max_worker_memory_hard 128.0 MiB: killing it"));
    EXPECT_EQ(sys.forked(), 3) << "replaced at once, not once reaped";
    advance(1000);
    EXPECT_EQ(sent(huge, SIGKILL), 1) << "killed once";
    exits(huge, killed_by(SIGKILL));
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_EQ(serving(), 2u);
    EXPECT_EQ(arbiter.restarts().max_worker_memory_hard, 1u);
    EXPECT_EQ(arbiter.restarts().died, 0u) << "the arbiter killed it";
    EXPECT_EQ(arbiter.restarts().max_worker_memory, 0u);
}

TEST_F(ReconcilerTest, AWorkerAwaitingItsReplacementIsKilledPastTheHardLimit) {
    start(memory_plan(2, 64 * MiB, 128 * MiB));
    ready_all(1);
    pid_t fat = any_worker();
    sys.memory[fat] = 100 * MiB;
    advance(1000);
    EXPECT_EQ(sys.forked(), 3);
    sys.memory[fat] = 150 * MiB;
    advance(1000);
    EXPECT_EQ(sent(fat, SIGKILL), 1);
    exits(fat, killed_by(SIGKILL));
    EXPECT_EQ(sys.forked(), 3) << "the replacement under way stands in for it";
    ready(FakeSystem::first_pid + 2);
    arbiter.reconcile();
    EXPECT_EQ(sent_to_all(SIGTERM), 0);
    EXPECT_EQ(serving(), 2u);
    EXPECT_EQ(arbiter.restarts().max_worker_memory, 0u) << "it was killed, not recycled";
    EXPECT_EQ(arbiter.restarts().max_worker_memory_hard, 1u);
}

TEST_F(ReconcilerTest, RestartReasonsAreCountedEach) {
    WorkerPlan p = memory_plan(3);
    p.max_requests = 100;
    start(p);
    ready_all(1);
    auto pids = sup.pids_of(1);
    slot(pids[0]).requests = 100;
    arbiter.reconcile();
    ready(FakeSystem::first_pid + 3);
    arbiter.reconcile();
    exits(pids[0]);
    sys.memory[pids[1]] = 100 * MiB;
    advance(1000);
    ready(FakeSystem::first_pid + 4);
    arbiter.reconcile();
    exits(pids[1]);
    exits(pids[2], killed_by(SIGSEGV));
    beat_all();
    const RestartCounts& r = arbiter.restarts();
    EXPECT_EQ(r.max_requests, 1u);
    EXPECT_EQ(r.max_worker_memory, 1u);
    EXPECT_EQ(r.died, 1u);
    EXPECT_EQ(r.timeout, 0u);
    arbiter.remove_worker();
    arbiter.reconcile();
    EXPECT_EQ(r.died, 1u) << "TTOU is no restart";
    EXPECT_EQ(describe(r), "1 max_requests, 1 max_worker_memory, 1 died");
    EXPECT_EQ(describe(RestartCounts{.reload = 3}), "3 reload");
    EXPECT_EQ(describe(RestartCounts{}), "none");
}

TEST_F(ReconcilerTest, AStaleWorkerCountsAsATimeoutRestart) {
    start(plan(1));
    ready_all(1);
    advance(30001);
    EXPECT_EQ(arbiter.restarts().timeout, 1u);
    exits(any_worker(), killed_by(SIGABRT));
    EXPECT_EQ(arbiter.restarts().died, 0u);
}

// --- heartbeat timeouts ------------------------------------------------------

TEST_F(ReconcilerTest, AStaleWorkerGetsAbrtThenKillAfterTheGrace) {
    start(plan(2));
    ready_all(1);
    advance(30000);
    EXPECT_EQ(sent_to_all(SIGABRT), 0) << "silent for exactly timeout is still alive";
    pid_t hung = any_worker();
    for (pid_t pid : sup.pids_of(1))
        if (pid != hung) slot(pid).last_beat_ms = sys.now;
    advance(1);
    EXPECT_EQ(sent(hung, SIGABRT), 1);
    EXPECT_EQ(sys.sent.size(), 1u);
    advance(2000);
    EXPECT_EQ(sent(hung, SIGKILL), 0);
    advance(1);
    EXPECT_EQ(sent(hung, SIGKILL), 1);
    EXPECT_EQ(sent(hung, SIGABRT), 1) << "ABRT only once";
    exits(hung, killed_by(SIGKILL));
    EXPECT_EQ(serving(), 2u);
}

TEST_F(ReconcilerTest, EachGenerationIsJudgedByItsOwnTimeout) {
    WorkerPlan old = plan(1);
    old.timeout_ms = 60000;
    start(old);
    ready_all(1);
    WorkerPlan fresh = plan(1);
    fresh.timeout_ms = 5000;
    reload(fresh);
    ready_all(2);
    arbiter.reconcile(); // promoted; the old worker finishes its requests
    advance(5001);
    EXPECT_EQ(sent(any_worker(2), SIGABRT), 1);
    EXPECT_EQ(sent(any_worker(1), SIGABRT), 0);
}

TEST_F(ReconcilerTest, AWorkerThatBeatsIsLeftAlone) {
    start(plan(1));
    for (int i = 0; i < 10; ++i) {
        beat_all();
        advance(20000);
    }
    EXPECT_TRUE(sys.sent.empty());
}

TEST_F(ReconcilerTest, TimeoutZeroNeverKills) {
    WorkerPlan p = plan(1);
    p.timeout_ms = 0;
    start(p);
    advance(3'600'000);
    EXPECT_TRUE(sys.sent.empty());
}

// --- a stack dump before the timeout kill ------------------------------------

TEST_F(ReconcilerTest, AStaleWorkerIsAskedForAStackDumpBeforeAnyKill) {
    LogCapture log;
    const pid_t hung = time_out(dump_plan(2));
    EXPECT_EQ(sent(hung, SIGURG), 1);
    EXPECT_EQ(sent_to_all(SIGABRT), 0);
    EXPECT_TRUE(arbiter.awaiting_dump(hung));
    EXPECT_EQ(arbiter.restarts().timeout, 2u);
    EXPECT_TRUE(log.contains("no heartbeat for 30001 ms while idle, 0 request(s) served; asking for a stack dump"));
}

TEST_F(ReconcilerTest, WithoutADumpTheWorkerIsKilledAtTheEndOfDumpTimeout) {
    LogCapture log;
    const pid_t hung = time_out(dump_plan(1));
    advance(1999);
    EXPECT_EQ(sent(hung, SIGABRT), 0) << "dump_timeout has not passed";
    advance(1);
    EXPECT_EQ(sent(hung, SIGABRT), 1);
    EXPECT_TRUE(log.contains("Worker " + std::to_string(hung) + ": no stack dump within 2000 ms; killing it"));
    EXPECT_FALSE(arbiter.awaiting_dump(hung));
    advance(2001);
    EXPECT_EQ(sent(hung, SIGKILL), 1) << "ABRT's grace as before";
    EXPECT_EQ(sent(hung, SIGURG), 1) << "asked once";
    exits(hung, killed_by(SIGKILL));
    EXPECT_EQ(serving(), 1u) << "replaced";
    EXPECT_EQ(arbiter.restarts().died, 0u);
}

TEST_F(ReconcilerTest, ADumpThatArrivesEarlyEndsTheWaitAtOnce) {
    LogCapture log;
    const pid_t hung = time_out(dump_plan(1));
    advance(300);
    EXPECT_EQ(sent(hung, SIGABRT), 0);
    arbiter.dump_arrived(hung);
    arbiter.reconcile(); // what the Arbiter does once it logged the dump
    EXPECT_EQ(sent(hung, SIGABRT), 1);
    EXPECT_TRUE(log.contains("stack dump logged; sending ABRT"));
    EXPECT_FALSE(log.contains("no stack dump"));
}

TEST_F(ReconcilerTest, AWorkerThatDiesAwaitingItsDumpIsReplacedWithoutAKill) {
    const pid_t hung = time_out(dump_plan(2));
    exits(hung, killed_by(SIGSEGV));
    advance(5000);
    EXPECT_EQ(sent(hung, SIGABRT), 0);
    EXPECT_EQ(sent(hung, SIGKILL), 0);
    EXPECT_EQ(serving(), 2u);
    EXPECT_FALSE(arbiter.awaiting_dump(hung));
    EXPECT_EQ(arbiter.restarts().died, 0u) << "counted as a timeout, not also as a death";
}

TEST_F(ReconcilerTest, ADumpOfAHealthyWorkerDoesNotShortenALaterWait) {
    start(dump_plan(1));
    ready_all(1);
    pid_t w = any_worker();
    arbiter.dump_arrived(w); // asked on demand (ctl dump, URG): nothing to decide
    arbiter.reconcile();
    EXPECT_TRUE(sys.sent.empty());
    advance(30001);
    advance(1000);
    EXPECT_EQ(sent(w, SIGABRT), 0) << "the wait starts from its own request";
}

TEST_F(ReconcilerTest, DumpTimeoutZeroSendsAbrtAtOnce) {
    start(plan(1));
    ready_all(1);
    advance(30001);
    EXPECT_EQ(sent_to_all(SIGURG), 0);
    EXPECT_EQ(sent_to_all(SIGABRT), 1);
}

TEST_F(ReconcilerTest, AStopDoesNotWaitOnADump) {
    WorkerPlan p = dump_plan(1);
    p.graceful_timeout_ms = 1000;
    const pid_t hung = time_out(p);
    arbiter.stop(true);
    advance(1001);
    EXPECT_EQ(sent(hung, SIGKILL), 1) << "graceful_timeout, not dump_timeout";
    exits(hung, killed_by(SIGKILL));
    EXPECT_EQ(shell.stopped, 1);
}

// --- stop --------------------------------------------------------------------

TEST_F(ReconcilerTest, AGracefulStopSendsTermThenKillAfterGracefulTimeout) {
    start(plan(2));
    ready_all(1);
    arbiter.stop(true);
    arbiter.reconcile();
    EXPECT_EQ(sent_to_all(SIGTERM), 2);
    EXPECT_EQ(shell.wakes, std::vector<std::int64_t>{sys.now + 5000});
    advance(4999);
    EXPECT_EQ(sent_to_all(SIGKILL), 0);
    advance(1);
    EXPECT_EQ(sent_to_all(SIGKILL), 2);
    advance(1000);
    EXPECT_EQ(sent_to_all(SIGKILL), 2) << "KILL once";
    exit_all();
    EXPECT_EQ(shell.stopped, 1);
}

TEST_F(ReconcilerTest, AFastStopSendsQuit) {
    start(plan(2));
    arbiter.stop(false);
    arbiter.reconcile();
    EXPECT_EQ(sent_to_all(SIGQUIT), 2);
    EXPECT_EQ(sent_to_all(SIGTERM), 0);
}

TEST_F(ReconcilerTest, AFastStopHurriesAGracefulOne) {
    start(plan(1));
    arbiter.stop(true);
    arbiter.stop(true); // a second TERM changes nothing
    arbiter.stop(false);
    EXPECT_EQ(sent_to_all(SIGTERM), 1);
    EXPECT_EQ(sent_to_all(SIGQUIT), 1);
}

TEST_F(ReconcilerTest, WorkersThatExitDuringAStopAreNotReplaced) {
    start(plan(3));
    ready_all(1);
    arbiter.stop(true);
    arbiter.reconcile();
    exits(any_worker());
    EXPECT_EQ(sys.forked(), 3);
    EXPECT_EQ(shell.stopped, 0);
    exit_all();
    EXPECT_EQ(shell.stopped, 1);
    EXPECT_EQ(arbiter.exit_code(), 0);
}

TEST_F(ReconcilerTest, AStopWithNoWorkersFinishesAtOnce) {
    start(plan(1));
    arbiter.stop_workers();
    arbiter.reconcile();
    exit_all();
    arbiter.stop(true);
    arbiter.reconcile();
    EXPECT_EQ(shell.stopped, 1);
}

TEST_F(ReconcilerTest, NothingScalesWhileStopping) {
    start(plan(2));
    arbiter.stop(true);
    arbiter.add_worker();
    arbiter.reconcile();
    EXPECT_EQ(arbiter.plan(1).workers, 2u);
    EXPECT_EQ(sys.forked(), 2);
}

// --- what the control socket asks: scale N, the refusals, a reload's outcome --

TEST_F(ReconcilerTest, ScaleSetsTheWorkerCountBothWays) {
    start(plan(2));
    ready_all(1);
    EXPECT_EQ(arbiter.scale_to(5), "");
    arbiter.reconcile();
    EXPECT_EQ(serving(), 5u);
    EXPECT_EQ(arbiter.scale_to(3), "");
    arbiter.reconcile();
    EXPECT_EQ(serving(), 3u);
    EXPECT_EQ(sent_to_all(SIGTERM), 2) << "the two newest leave";
}

TEST_F(ReconcilerTest, ScaleStopsAtHalfTheScoreboard) {
    start(plan(2));
    ASSERT_EQ(arbiter.max_workers(), 32u); // a board of 64
    EXPECT_EQ(arbiter.scale_to(32), "");
    const std::string why = arbiter.scale_to(33);
    EXPECT_NE(why.find("at most 32"), std::string::npos) << why;
    EXPECT_EQ(arbiter.plan(1).workers, 32u) << "a refusal changes nothing";
    EXPECT_NE(arbiter.add_worker(), "") << "TTIN obeys the same bound";
    EXPECT_NE(arbiter.scale_to(0), "");
}

TEST_F(ReconcilerTest, TtouAtOneWorkerSaysWhyNot) {
    start(plan(1));
    EXPECT_NE(arbiter.remove_worker().find("never go below one"), std::string::npos);
    EXPECT_EQ(arbiter.plan(1).workers, 1u);
}

TEST_F(ReconcilerTest, ScaleSaysWhyNotWhileStopping) {
    start(plan(2));
    arbiter.stop(true);
    EXPECT_EQ(arbiter.scale_to(4), "hornet is stopping");
    EXPECT_EQ(arbiter.add_worker(), "hornet is stopping");
    EXPECT_EQ(arbiter.remove_worker(), "hornet is stopping");
    EXPECT_EQ(arbiter.plan(1).workers, 2u);
}

TEST_F(ReconcilerTest, APromotedReloadReportsItsGeneration) {
    start(plan(2));
    ready_all(1);
    reload(plan(2));
    EXPECT_TRUE(shell.outcomes.empty()) << "no answer while the new workers boot";
    ready_all(2);
    arbiter.reconcile();
    ASSERT_EQ(shell.outcomes.size(), 1u);
    EXPECT_EQ(shell.outcomes[0].generation, 2u);
    EXPECT_EQ(shell.outcomes[0].error, "");
}

TEST_F(ReconcilerTest, AFailedReloadReportsTheLinesTheLogShows) {
    start(plan(2));
    ready_all(1);
    reload(plan(2));
    exits(any_worker(2), exited_with(1));
    ASSERT_EQ(shell.outcomes.size(), 1u);
    EXPECT_EQ(shell.outcomes[0].generation, 2u);
    EXPECT_EQ(shell.outcomes[0].error,
              "Reload failed: a new worker exited before it was ready (see above); still serving test generation");
}

TEST_F(ReconcilerTest, AWorkerRecordsWhenItWasForked) {
    sys.now = 12345;
    start(plan(1));
    EXPECT_EQ(sup.workers().at(any_worker()).started_ms, 12345);
}

} // namespace
} // namespace hornet
