// The stop phases of an event-loop worker type.
#include "hornet/sdk/loop_worker.hpp"

#include <algorithm>

#include "hornet/support/log.hpp"

namespace hornet::sdk {
namespace {

constexpr uint32_t kDefaultGraceMs = 30000; // graceful_timeout 0: Gunicorn's default
constexpr int64_t kAbandonMs = 1000;         // after a hard stop, PENDING apps get this long to finish

} // namespace

LoopWorker::LoopWorker(const hornet_worker_ctx_t* ctx)
    : ctx_(ctx), timeouts_(Timeouts::from(ctx->limits)), gate_(ctx),
      cap_(std::max<uint32_t>(ctx->limits->worker_connections, 1)), tick_(ctx, timeouts_.beat_ms) {}

LoopWorker::StopStep LoopWorker::stop_step() const {
    const int mode = ctx_->stop_mode ? ctx_->stop_mode(ctx_) : HORNET_STOP_NONE;
    if (mode == HORNET_STOP_NOW && phase_ != Phase::stopping) return StopStep::stop_now;
    if (mode == HORNET_STOP_GRACEFUL && phase_ == Phase::serving) return StopStep::leave;
    return StopStep::none;
}

bool LoopWorker::enter_leaving(size_t open) {
    if (phase_ != Phase::serving) return false;
    phase_ = Phase::leaving;
    const int64_t now = tick_.read_clock();
    const uint32_t grace = ctx_->limits->graceful_timeout_ms;
    leave_by_ms_ = now + (grace != 0 ? grace : kDefaultGraceMs);
    drain_by_ms_ = std::min(leave_by_ms_, now + timeouts_.keepalive_ms);
    support::logf(ctx_->host, HORNET_LOG_INFO, "worker %d: stopping gracefully, draining %zu connection(s)",
                  ctx_->worker_id, open);
    return true;
}

bool LoopWorker::enter_stopping() {
    if (phase_ == Phase::stopping) return false;
    phase_ = Phase::stopping;
    abandon_at_ms_ = tick_.read_clock() + kAbandonMs;
    return true;
}

LoopWorker::Verdict LoopWorker::verdict(size_t open, bool accepting) {
    if (phase_ == Phase::serving) return Verdict::stay;
    if (open == 0 && !accepting) return Verdict::end;
    const int64_t now = tick_.now_ms();
    if (phase_ == Phase::leaving && now >= leave_by_ms_) {
        support::logf(ctx_->host, HORNET_LOG_WARNING,
                      "worker %d: graceful_timeout passed with %zu connections open; closing them", ctx_->worker_id,
                      open);
        return Verdict::stop_now;
    }
    if (phase_ == Phase::stopping && now >= abandon_at_ms_) {
        support::logf(ctx_->host, HORNET_LOG_WARNING, "worker %d: %zu exchanges still unfinished by their app; leaving them",
                      ctx_->worker_id, open);
        abandoned_ = true;
        return Verdict::abandon;
    }
    return Verdict::stay;
}

} // namespace hornet::sdk
