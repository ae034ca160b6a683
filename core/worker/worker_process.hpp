// What a worker process does between fork and exit: reset the arbiter's
// signal handling, start the stack-dump thread, make the app instance, build the worker type's context
// (limits, stop fd, heartbeat into the scoreboard, access log) and hand
// control to the worker type's run(). Called only in the child, right after
// fork; never returns.
#pragma once

#include <cstdint>
#include <optional>
#include <sys/types.h>
#include <vector>

#include "config/config.hpp"
#include "host/host_services.hpp"
#include "log/access_log.hpp"
#include "plugin/plugin_library.hpp"
#include "scoreboard/scoreboard.hpp"

namespace hornet {

struct TlsPlan;

struct WorkerSpec {
    const Config& config;
    const std::vector<int>& listen_fds;
    const TlsPlan* tls; // which listeners speak TLS, with what (ABI 1.5)
    const AppLibrary& app;
    const WorkerLibrary& worker;
    HostServices& host;
    const AccessLog& access_log;
    const Scoreboard& board;
    ScoreboardSlot& slot;
    int worker_id;
    std::uint32_t generation;
    std::optional<void*> preloaded; // the app instance made in the arbiter (null is an instance too)
    uid_t uid;        // -1: keep
    gid_t gid;        // -1: keep
    pid_t arbiter;
    int dump_fd; // the dump pipe's write end (worker/dump_protocol.hpp)
};

[[noreturn]] void run_worker_process(const WorkerSpec& spec);

// The name in the process titles: proc_name, or the app's name.
std::string process_name(const Config& config, const char* app_name);

} // namespace hornet
