#include "worker/worker_context.hpp"

#include <cstddef>
#include <type_traits>

#include "hornet/support/text.hpp"
#include "worker/stop_signal.hpp"
#include "worker/thread_requests.hpp"

namespace hornet {
namespace {

int stop_mode(const hornet_worker_ctx_t*) { return stop_signal::mode(); }

uint32_t server_state(const hornet_worker_ctx_t* ctx) { return WorkerContext::of(ctx).board->server_state(); }

void ready(const hornet_worker_ctx_t* ctx) {
    WorkerContext& wc = WorkerContext::of(ctx);
    wc.slot->last_beat_ms.store(Scoreboard::now_ms(), std::memory_order_relaxed);
    wc.slot->state.store(WorkerState::ready);
    wc.board->wake(); // a reload may be waiting for exactly this
}

void heartbeat(const hornet_worker_ctx_t* ctx) {
    WorkerContext::of(ctx).slot->last_beat_ms.store(Scoreboard::now_ms(), std::memory_order_relaxed);
}

void count(const hornet_worker_ctx_t* ctx, int counter, int64_t delta) {
    WorkerContext& wc = WorkerContext::of(ctx);
    ScoreboardSlot& s = *wc.slot;
    if (counter == HORNET_COUNT_CONNECTIONS) s.connections.fetch_add(delta, std::memory_order_relaxed);
    if (counter != HORNET_COUNT_REQUESTS) return;
    auto served = s.requests.fetch_add(delta, std::memory_order_relaxed) + delta;
    // The arbiter recycles a worker at its quota: tell it once, when reached.
    if (s.max_requests != 0 && served >= s.max_requests && served - delta < s.max_requests) wc.board->wake();
}

void write_log_line(const WorkerContext& wc, const hornet_access_record_t& record) {
    if (!wc.access_log->enabled()) return;
    try {
        wc.access_log->write(record);
    } catch (...) {
        // A full disk must not take the worker down.
    }
}

// Every finished exchange goes through here, however it came: counted for
// the metrics, then logged.
void finish_exchange(const WorkerContext& wc, const hornet_access_record_t& record) {
    if (wc.count_metrics) wc.slot->metrics.record(record);
    write_log_line(wc, record);
}

// A 1.0-1.2 worker type's way in: access_log_enabled is set for the
// metrics too, so its records arrive here even with no log configured.
void write_access_log(const hornet_worker_ctx_t* ctx, const hornet_access_record_t* record) {
    if (record) finish_exchange(WorkerContext::of(ctx), *record);
}

// ABI 1.3: the request goes to the app; the arbiter's status and a stack
// dump show it while it is there.
void exchange_begin(const hornet_worker_ctx_t* ctx, const hornet_request_t* request, int64_t) {
    if (!request) return;
    ScoreboardSlot& s = *WorkerContext::of(ctx).slot;
    const std::string_view method = support::view(request->method), path = support::view(request->path);
    const std::int64_t now = Scoreboard::now_ms();
    s.in_flight.fetch_add(1, std::memory_order_relaxed);
    s.busy.set(method, path, now);
    ThreadRequests::process().begin(method, path, now);
}

// A refused head (no request) had no exchange_begin: only the log line.
void exchange_end(const hornet_worker_ctx_t* ctx, const hornet_access_record_t* record) {
    if (!record) return;
    const WorkerContext& wc = WorkerContext::of(ctx);
    if (record->request) {
        ThreadRequests::process().end();
        if (wc.slot->in_flight.fetch_sub(1, std::memory_order_relaxed) <= 1) wc.slot->busy.clear();
    }
    finish_exchange(wc, *record);
}

// ABI 1.1: the worker type's extensions, answered by the host's get_extension.
int provide_extension(const hornet_worker_ctx_t* ctx, const char* id, const void* table) {
    HostServices* services = WorkerContext::of(ctx).host_services;
    if (!services) return HORNET_EINVAL;
    try {
        return services->provide_extension(id, table);
    } catch (...) {
        return HORNET_ENOMEM;
    }
}

} // namespace

WorkerContext::WorkerContext(const Scoreboard& b, ScoreboardSlot& s, const AccessLog& log, bool metrics)
    : ctx{}, limits{}, board(&b), slot(&s), access_log(&log), count_metrics(metrics) {
    static_assert(std::is_standard_layout_v<WorkerContext> && offsetof(WorkerContext, ctx) == 0);
    limits.head = HORNET_HEAD_INIT(hornet_limits_t);
    ctx.head = HORNET_HEAD_INIT(hornet_worker_ctx_t);
    ctx.limits = &limits;
    ctx.stop_mode = &stop_mode;
    ctx.ready = &ready;
    ctx.heartbeat = &heartbeat;
    ctx.count = &count;
    ctx.access_log_enabled = log.enabled() || metrics ? 1 : 0;
    ctx.access_log = &write_access_log;
    ctx.provide_extension = &provide_extension;
    ctx.server_state = &server_state;
    ctx.exchange_begin = &exchange_begin;
    ctx.exchange_end = &exchange_end;
    // Queue time costs a TCP_INFO read per connection: only for the metrics.
    ctx.observe_flags = metrics ? HORNET_OBSERVE_QUEUE_TIME : 0;
}

WorkerContext& WorkerContext::of(const hornet_worker_ctx_t* ctx) {
    return *reinterpret_cast<WorkerContext*>(const_cast<hornet_worker_ctx_t*>(ctx));
}

} // namespace hornet
