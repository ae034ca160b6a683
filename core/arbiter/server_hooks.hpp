// Gunicorn's arbiter hooks: on_starting, when_ready, on_reload and on_exit
// from a gunicorn.conf.py (the server_hooks setting), called where Gunicorn's
// master calls them (see docs/gunicorn.md). The worker hooks are the wsgi
// app's (apps/wsgi/gunicorn_hooks.hpp).
//
// The Python runs in a child process, the hook runner ("hornet: hooks",
// Debian's python3 running server_hooks_runner.cpp's script), never in the
// arbiter: libpython's threads, locks and signal handlers would otherwise
// cross every fork into the workers, and a hook that hangs or crashes would
// take the arbiter with it. The runner loads the file once (again on each
// reload, as Gunicorn re-reads its config), so module state lives on between
// calls as it does in Gunicorn's master. Arbiter and runner speak one JSON
// object a line over a socketpair; the arbiter waits at most kHookBudget for
// each call, then goes on without it (the hook finishes in its process, and
// its log lines come later). A hook that raises is one error line (its
// traceback at debug); `server.log` writes into hornet's error log.
//
// Arbiter thread only; the runner is the arbiter's child, reaped by its
// supervisor (runner_exited) or by the destructor.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace hornet {

// What `server` shows the hooks: Gunicorn's Arbiter as hooks use it.
struct ServerFacts {
    pid_t pid = 0;
    unsigned num_workers = 0;
    std::string proc_name;
    std::vector<std::string> listeners; // bound ones, as URLs ("http://127.0.0.1:8000"); none before on_starting
    std::string cfg_json;               // settings_json(): server.cfg
};

class ServerHooks {
public:
    static constexpr std::chrono::milliseconds kHookBudget{10000};

    enum class Outcome { ran, raised, late, gone };

    // Starts the runner and loads the file. Throws std::runtime_error with
    // one line naming the file when it cannot (no python, the file raises).
    explicit ServerHooks(const std::string& path);
    ~ServerHooks(); // closes the channel; the runner leaves, and is reaped
    ServerHooks(const ServerHooks&) = delete;
    ServerHooks& operator=(const ServerHooks&) = delete;

    bool defines(std::string_view hook) const;
    // hook(server), if the file defines it; `ran` if it did not. A hook that
    // raised is logged as one error line unless `quiet` (the caller says it,
    // with last_error()); its traceback goes to the debug level either way.
    Outcome call(std::string_view hook, const ServerFacts& facts, bool quiet = false);
    // "FILE:LINE: on_starting raised RuntimeError: ..." of the last `raised`.
    const std::string& last_error() const { return last_error_; }
    // A reload's file (read anew even if the path is the same): later calls
    // use its hooks. false, logged, when it fails: the old hooks stay.
    bool load(const std::string& path);

    pid_t pid() const { return pid_; }
    // The arbiter reaped the runner: from now on every call is `gone`.
    void runner_exited(int status);
    // In a forked worker: drop the arbiter's end without a word.
    void forget_in_child();

private:
    struct Reply; // one answer, with the lines logged on the way
    Reply request(const std::string& line, std::chrono::milliseconds budget);
    bool read_line(std::string& line, std::chrono::steady_clock::time_point deadline);
    bool handle_line(const std::string& line, std::uint64_t id, Reply& reply);
    std::string load_line(const std::string& path);

    std::string path_;   // the file loaded last
    std::vector<std::string> defined_;
    pid_t pid_ = -1;
    int fd_ = -1;        // the arbiter's end of the socketpair
    std::uint64_t next_id_ = 1;
    std::string buffer_; // read, not yet a whole line
    std::string last_error_;
};

} // namespace hornet
