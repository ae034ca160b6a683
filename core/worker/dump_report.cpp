// What a stack dump says, in order; see dump_report.hpp.
#include "worker/dump_report.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <map>
#include <memory>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#include "scoreboard/scoreboard.hpp"
#include "worker/stack_capture.hpp"
#include "worker/symbolizer.hpp"
#include "worker/thread_requests.hpp"

namespace hornet {
namespace {

// How long one thread gets to run its capture handler: long enough for a
// loaded machine to schedule it; only a thread stuck in the kernel waits
// it out (one that blocks the signal is not asked).
constexpr std::chrono::milliseconds kCaptureWait{500};
// What an app may add; the rest is cut.
constexpr std::size_t kAppBytes = 1 << 20;

std::vector<pid_t> live_threads() {
    std::vector<pid_t> tids;
    DIR* dir = ::opendir("/proc/self/task");
    if (!dir) return tids;
    while (const dirent* e = ::readdir(dir)) {
        const pid_t tid = static_cast<pid_t>(std::atoi(e->d_name));
        if (tid > 0) tids.push_back(tid);
    }
    ::closedir(dir);
    std::sort(tids.begin(), tids.end());
    return tids;
}

std::string thread_name(pid_t tid) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/comm");
    std::string name;
    std::getline(in, name);
    return name;
}

// "GET /?ms=5000, for 3012 ms", "idle", or with more than one in flight
// (an event loop) "3 in flight, latest GET /x, for 12 ms".
std::string request_text(const ThreadRequests::Entry& e, std::int64_t now_ms) {
    const auto busy = e.busy.read();
    const auto in_flight = e.in_flight.load(std::memory_order_relaxed);
    if (!busy || in_flight <= 0) return "idle";
    std::string what = busy->method + " " + busy->path + ", for " + std::to_string(now_ms - busy->since_ms) + " ms";
    return in_flight == 1 ? what : std::to_string(in_flight) + " in flight, latest " + what;
}

std::map<pid_t, std::string> requests_by_thread() {
    std::map<pid_t, std::string> out;
    const std::int64_t now = Scoreboard::now_ms();
    ThreadRequests::process().for_each([&](const ThreadRequests::Entry& e) {
        out[e.tid.load(std::memory_order_acquire)] = request_text(e, now);
    });
    return out;
}

// The files mapped into this process: what a Symbolizer knows.
std::string mapped_files() {
    std::ifstream in("/proc/self/maps");
    std::string out, line;
    while (std::getline(in, line)) {
        const auto path = line.find('/');
        if (path != std::string::npos) out.append(line, path).push_back('\n');
    }
    return out;
}

// Reading symbol tables is most of a dump's cost: one Symbolizer serves
// every dump until a file is mapped or unmapped (a plugin loaded, say).
// The dump thread's alone.
const Symbolizer& symbolizer() {
    static std::unique_ptr<Symbolizer> names;
    static std::string files;
    std::string now = mapped_files();
    if (!names || now != files) {
        names.reset();
        names = std::make_unique<Symbolizer>();
        files = std::move(now);
    }
    return *names;
}

std::string hex(std::uintptr_t v, int width) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%0*lx", width, static_cast<unsigned long>(v));
    return text;
}

void add_native_stack(std::string& out, pid_t tid, const Symbolizer& names) {
    NativeStack stack;
    switch (stack_capture::capture(tid, kCaptureWait, stack)) {
    case stack_capture::Outcome::taken: break;
    case stack_capture::Outcome::blocks_signal: out += "    (it blocks signals: no native stack)\n"; return;
    case stack_capture::Outcome::no_answer:
        out += "    (no answer within " + std::to_string(kCaptureWait.count()) + " ms: stuck in the kernel?)\n";
        return;
    }
    out += "    pthread " + hex(stack.pthread, 16) + "\n";
    for (std::size_t i = 0; i < stack.frames.size(); ++i) {
        char index[32];
        std::snprintf(index, sizeof index, "    #%-2zu ", i);
        out += index + hex(stack.frames[i], 16) + " " + names.describe(stack.frames[i], i > 0) + "\n";
    }
    if (stack.truncated) out += "    (deeper frames cut)\n";
}

// The head: the requests in flight, before any stack.
void add_serving(std::string& out, const std::map<pid_t, std::string>& requests, const std::vector<pid_t>& tids) {
    bool any = false;
    for (const auto& [tid, what] : requests) {
        if (what == "idle" || !std::binary_search(tids.begin(), tids.end(), tid)) continue;
        out += "serving: thread " + std::to_string(tid) + ": " + what + "\n";
        any = true;
    }
    if (!any) out += "serving: no request\n";
}

void add_threads(std::string& out, const std::vector<pid_t>& tids) {
    const auto requests = requests_by_thread();
    add_serving(out, requests, tids);
    const pid_t self = static_cast<pid_t>(::syscall(SYS_gettid));
    const Symbolizer& names = symbolizer();
    for (pid_t tid : tids) {
        const auto r = requests.find(tid);
        out += "thread " + std::to_string(tid) + " \"" + thread_name(tid) + "\": ";
        if (tid == self) {
            out += "taking this dump\n";
            continue;
        }
        out += (r == requests.end() ? std::string("serves no requests") : r->second) + "\n";
        add_native_stack(out, tid, names);
    }
    if (auto n = ThreadRequests::process().untracked()) out += std::to_string(n) + " more serving thread(s) untracked\n";
}

} // namespace

std::string app_stacks(const hornet_app_t* app, void* instance, int fd) {
    if (!app || fd < 0 || !HORNET_HAS(app, hornet_app_t, dump_stacks) || !app->dump_stacks) return "";
    if (::ftruncate(fd, 0) != 0) return "";
    ::lseek(fd, 0, SEEK_SET);
    const int rc = app->dump_stacks(instance, fd);
    std::string out = std::string("app ") + app->name + " stacks:\n";
    std::string text(kAppBytes, '\0');
    const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
    text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    out += text;
    if (!text.empty() && text.back() != '\n') out += "\n";
    if (rc != HORNET_OK) out += "(the app's dump_stacks returned " + std::to_string(rc) + ")\n";
    return out;
}

std::string dump_report(const DumpSubject& s) {
    const auto tids = live_threads();
    std::string out = "worker " + std::to_string(::getpid()) + " (generation " + std::to_string(s.generation) +
                      ", worker " + std::to_string(s.worker_id) + "), " + std::to_string(tids.size()) +
                      " thread(s), innermost frame first:\n";
    add_threads(out, tids);
    if (s.app_part) out += s.app_part();
    out += "end of stack dump\n"; // a reader knows it has all of it
    return out;
}

} // namespace hornet
