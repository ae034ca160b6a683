// A stack dump of this very process, as a worker's dump thread makes it:
// real threads stopped in functions of this file, unwound by stack_capture's
// signal handler and named by Symbolizer (libdw), headed by the request each
// serves from ThreadRequests.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <pthread.h>
#include <sys/mman.h>
#include <string>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#include "scoreboard/scoreboard.hpp"
#include "worker/dump_report.hpp"
#include "worker/stack_capture.hpp"
#include "worker/thread_requests.hpp"

namespace {

std::atomic<bool> release{false};
std::atomic<pid_t> sleeper_tid{0}, deaf_tid{0};

// Distinctive names the dump must show; noinline so that each is a frame.
extern "C" __attribute__((noinline)) void hornet_test_innermost_wait() {
    while (!release.load()) ::usleep(1000);
}

extern "C" __attribute__((noinline)) void hornet_test_serving_frame() {
    hornet::ThreadRequests::process().begin("GET", "/stuck/here", hornet::Scoreboard::now_ms());
    sleeper_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    hornet_test_innermost_wait();
    hornet::ThreadRequests::process().end();
    asm volatile(""); // keep the call above from being a tail call
}

// A thread that blocks every signal, as a thread an app made might: it can
// not unwind itself, and the dump says so rather than wait for ever.
void deaf_thread() {
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, nullptr);
    deaf_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    while (!release.load()) ::usleep(1000);
}

class DumpReportTest : public testing::Test {
protected:
    static void SetUpTestSuite() { hornet::stack_capture::install(); }
    void TearDown() override {
        release = true;
        for (auto& t : threads_) t.join();
    }
    void start_threads() {
        release = false;
        sleeper_tid = 0;
        deaf_tid = 0;
        threads_.emplace_back(hornet_test_serving_frame);
        threads_.emplace_back(deaf_thread);
        while (!sleeper_tid.load() || !deaf_tid.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::vector<std::thread> threads_;
};

TEST_F(DumpReportTest, NamesEachThreadsFramesAndTheRequestItServes) {
    start_threads();
    const std::string dump = hornet::dump_report({.generation = 3, .worker_id = 2, .app_part = {}});
    const std::string tid = std::to_string(sleeper_tid.load());
    EXPECT_EQ(dump.rfind("worker " + std::to_string(::getpid()) + " (generation 3, worker 2)", 0), 0u) << dump;
    EXPECT_NE(dump.find("serving: thread " + tid + ": GET /stuck/here, for "), std::string::npos) << dump;
    const auto stack = dump.find("thread " + tid + " \"");
    ASSERT_NE(stack, std::string::npos) << dump;
    const auto inner = dump.find("hornet_test_innermost_wait+0x", stack);
    const auto outer = dump.find("hornet_test_serving_frame+0x", stack);
    ASSERT_NE(inner, std::string::npos) << dump;
    ASSERT_NE(outer, std::string::npos) << dump;
    EXPECT_LT(inner, outer) << "innermost frame first\n" << dump;
    EXPECT_NE(dump.find("nanosleep"), std::string::npos) << "usleep's syscall, in libc\n" << dump;
    EXPECT_NE(dump.find("(libc.so.6)"), std::string::npos) << dump;
    EXPECT_TRUE(dump.ends_with("\nend of stack dump\n")) << dump;
}

TEST_F(DumpReportTest, AThreadThatBlocksSignalsIsReportedNotWaitedFor) {
    start_threads();
    const auto begun = std::chrono::steady_clock::now();
    const std::string dump = hornet::dump_report({});
    EXPECT_LT(std::chrono::steady_clock::now() - begun, std::chrono::seconds(5)) << "not waited for\n";
    const auto deaf = dump.find("thread " + std::to_string(deaf_tid.load()) + " \"");
    ASSERT_NE(deaf, std::string::npos) << dump;
    EXPECT_NE(dump.find("(it blocks signals: no native stack)", deaf), std::string::npos) << dump;
    EXPECT_NE(dump.find("hornet_test_innermost_wait"), std::string::npos) << "the others still unwound\n" << dump;
    EXPECT_NE(dump.find("taking this dump"), std::string::npos) << dump;
}

// The app's part follows the native stacks, from its dump_stacks (ABI 1.3).
int app_dump(void*, int fd) {
    const char text[] = "app frame: handler()\n";
    return ::write(fd, text, sizeof text - 1) > 0 ? HORNET_OK : HORNET_EIO;
}

TEST_F(DumpReportTest, TheAppsOwnStacksFollow) {
    hornet_app_t app{};
    app.head = HORNET_HEAD_INIT(hornet_app_t);
    app.name = "fake";
    app.dump_stacks = app_dump;
    const int fd = ::memfd_create("test", 0);
    const std::string dump = hornet::dump_report({.app_part = [&] { return hornet::app_stacks(&app, nullptr, fd); }});
    ::close(fd);
    EXPECT_NE(dump.find("app fake stacks:\napp frame: handler()\nend of stack dump\n"), std::string::npos) << dump;
}

TEST_F(DumpReportTest, AnOlderAppWithoutDumpStacksAddsNothing) {
    hornet_app_t app{};
    app.head = HORNET_HEAD_INIT(hornet_app_t);
    app.head.struct_size = offsetof(hornet_app_t, dump_stacks); // as a 1.2 plugin's
    app.name = "old";
    app.dump_stacks = app_dump; // past its end: must not be read
    const int fd = ::memfd_create("test", 0);
    const std::string part = hornet::app_stacks(&app, nullptr, fd);
    ::close(fd);
    EXPECT_EQ(part, "");
}

} // namespace
