// What a worker process does between fork and exit: reset the arbiter's
// signal handling, make the app instance, build the worker type's context
// (limits, stop fd, heartbeat into the scoreboard, access log) and hand
// control to the worker type's run(). Called only in the child, right after
// fork; never returns.
#pragma once

#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "host/host_services.hpp"
#include "log/access_log.hpp"
#include "plugin/plugin_library.hpp"
#include "scoreboard/scoreboard.hpp"

namespace hornet {

struct WorkerSpec {
    const Config& config;
    const std::vector<int>& listen_fds;
    const AppLibrary& app;
    const WorkerLibrary& worker;
    HostServices& host;
    const AccessLog& access_log;
    ScoreboardSlot& slot;
    int worker_id;
    std::uint32_t generation;
    std::uint64_t max_requests; // jitter already applied
    pid_t arbiter;
};

[[noreturn]] void run_worker_process(const WorkerSpec& spec);

} // namespace hornet
