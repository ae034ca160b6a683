#include "worker/worker_context.hpp"

#include <cstddef>
#include <type_traits>

#include "worker/stop_signal.hpp"

namespace hornet {
namespace {

int stop_mode(const hornet_worker_ctx_t*) { return stop_signal::mode(); }

void ready(const hornet_worker_ctx_t* ctx) {
    ScoreboardSlot& s = *WorkerContext::of(ctx).slot;
    s.last_beat_ms.store(Scoreboard::now_ms(), std::memory_order_relaxed);
    s.state.store(WorkerState::ready);
}

void heartbeat(const hornet_worker_ctx_t* ctx) {
    WorkerContext::of(ctx).slot->last_beat_ms.store(Scoreboard::now_ms(), std::memory_order_relaxed);
}

void count(const hornet_worker_ctx_t* ctx, int counter, int64_t delta) {
    ScoreboardSlot& s = *WorkerContext::of(ctx).slot;
    if (counter == HORNET_COUNT_REQUESTS) s.requests.fetch_add(delta, std::memory_order_relaxed);
    if (counter == HORNET_COUNT_CONNECTIONS) s.connections.fetch_add(delta, std::memory_order_relaxed);
}

void write_access_log(const hornet_worker_ctx_t* ctx, const hornet_access_record_t* record) {
    if (!record) return;
    try {
        WorkerContext::of(ctx).access_log->write(*record);
    } catch (...) {
        // A full disk must not take the worker down.
    }
}

} // namespace

WorkerContext::WorkerContext(ScoreboardSlot& s, const AccessLog& log)
    : ctx{}, limits{}, slot(&s), access_log(&log) {
    static_assert(std::is_standard_layout_v<WorkerContext> && offsetof(WorkerContext, ctx) == 0);
    limits.head = HORNET_HEAD_INIT(hornet_limits_t);
    ctx.head = HORNET_HEAD_INIT(hornet_worker_ctx_t);
    ctx.limits = &limits;
    ctx.stop_mode = &stop_mode;
    ctx.ready = &ready;
    ctx.heartbeat = &heartbeat;
    ctx.count = &count;
    ctx.access_log_enabled = log.enabled() ? 1 : 0;
    ctx.access_log = &write_access_log;
}

WorkerContext& WorkerContext::of(const hornet_worker_ctx_t* ctx) {
    return *reinterpret_cast<WorkerContext*>(const_cast<hornet_worker_ctx_t*>(ctx));
}

} // namespace hornet
