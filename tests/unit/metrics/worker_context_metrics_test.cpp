// The host counts every finished exchange once, whichever way it arrives:
// exchange_end (a 1.3 worker type) or access_log (a 1.0-1.2 one, which gets
// access_log_enabled for the metrics even with no access log).
#include "worker/worker_context.hpp"

#include <memory>

#include <gtest/gtest.h>

#include "metrics/metric_totals.hpp"

namespace hornet {
namespace {

hornet_str_t str(const char* s) { return {s, std::char_traits<char>::length(s)}; }

struct Host {
    Scoreboard board{4};
    AccessLog log{"", "%(s)s"}; // off
    int slot = board.claim(1, 0);
};

hornet_access_record_t record(const hornet_request_t* request) {
    hornet_access_record_t r{};
    r.head = HORNET_HEAD_INIT(hornet_access_record_t);
    r.request = request;
    r.request_line = str("GET / HTTP/1.1");
    r.status = 200;
    r.duration_us = 50;
    r.queued_us = 70;
    return r;
}

std::uint64_t answered(Scoreboard& board, int slot) {
    metrics::MetricTotals t;
    t.add(board.slot(slot).metrics);
    return t.request_count();
}

TEST(WorkerContextMetrics, AnOlderWorkerTypesAccessRecordsAreCounted) {
    Host h;
    WorkerContext wc(h.board, h.board.slot(h.slot), h.log, true);
    EXPECT_EQ(wc.ctx.access_log_enabled, 1) << "a 1.0-1.2 worker type must hand its records over";
    EXPECT_EQ(wc.ctx.observe_flags, HORNET_OBSERVE_QUEUE_TIME);
    hornet_access_record_t r = record(nullptr);
    r.head.struct_size = offsetof(hornet_access_record_t, queued_us); // as a 1.2 worker type builds it
    wc.ctx.access_log(&wc.ctx, &r);
    EXPECT_EQ(answered(h.board, h.slot), 1u);
}

TEST(WorkerContextMetrics, ExchangeEndIsCountedOnce) {
    Host h;
    WorkerContext wc(h.board, h.board.slot(h.slot), h.log, true);
    hornet_request_t request{};
    request.head = HORNET_HEAD_INIT(hornet_request_t);
    request.method = str("GET");
    request.path = str("/");
    wc.ctx.exchange_begin(&wc.ctx, &request, 70);
    const hornet_access_record_t r = record(&request);
    wc.ctx.exchange_end(&wc.ctx, &r);
    metrics::MetricTotals t;
    t.add(h.board.slot(h.slot).metrics);
    EXPECT_EQ(t.request_count(), 1u);
    EXPECT_EQ(t.queue.count(), 1u);
    EXPECT_EQ(h.board.slot(h.slot).in_flight.load(), 0);
}

TEST(WorkerContextMetrics, NothingIsCountedWithMetricsOff) {
    Host h;
    WorkerContext wc(h.board, h.board.slot(h.slot), h.log, false);
    EXPECT_EQ(wc.ctx.access_log_enabled, 0);
    EXPECT_EQ(wc.ctx.observe_flags, 0u);
    const hornet_access_record_t r = record(nullptr);
    wc.ctx.exchange_end(&wc.ctx, &r);
    EXPECT_EQ(answered(h.board, h.slot), 0u);
}

TEST(WorkerContextMetrics, AReleasedSlotIsHandedToTheHookThenReset) {
    Host h;
    WorkerContext wc(h.board, h.board.slot(h.slot), h.log, true);
    const hornet_access_record_t r = record(nullptr);
    wc.ctx.exchange_end(&wc.ctx, &r);
    std::uint64_t seen = 0;
    h.board.on_release([&](const ScoreboardSlot& s) {
        metrics::MetricTotals t;
        t.add(s.metrics);
        seen = t.request_count();
    });
    h.board.release(h.slot);
    EXPECT_EQ(seen, 1u);
    const int again = h.board.claim(2, 0);
    EXPECT_EQ(answered(h.board, again), 0u) << "a new worker starts from zero";
}

} // namespace
} // namespace hornet
