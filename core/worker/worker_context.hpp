// The host's hornet_worker_ctx_t: the C context a worker type sees, plus the
// C++ state its callbacks reach through a cast (ctx is the first member).
// Built once per worker process, after fork.
#pragma once

#include <hornet/worker.h>

#include "host/host_services.hpp"
#include "log/access_log.hpp"
#include "scoreboard/scoreboard.hpp"

namespace hornet {

struct WorkerContext {
    hornet_worker_ctx_t ctx; // first: callbacks cast ctx back to WorkerContext
    hornet_limits_t limits;
    const Scoreboard* board;
    ScoreboardSlot* slot;
    const AccessLog* access_log;
    HostServices* host_services = nullptr; // answers provide_extension (ABI 1.1)
    bool count_metrics;                    // /metrics or statsd is on: count every exchange

    WorkerContext(const Scoreboard& board, ScoreboardSlot& slot, const AccessLog& log, bool metrics);
    static WorkerContext& of(const hornet_worker_ctx_t* ctx);
};

} // namespace hornet
