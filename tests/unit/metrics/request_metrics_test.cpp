// Counting one exchange into a slot, and summing slots.
#include "metrics/metric_totals.hpp"

#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace hornet::metrics {
namespace {

hornet_str_t str(const char* s) { return {s, std::char_traits<char>::length(s)}; }

struct Exchange {
    hornet_request_t request{};
    hornet_access_record_t record{};

    Exchange(const char* method, int status, int64_t duration_us, int64_t queued_us) {
        request.head = HORNET_HEAD_INIT(hornet_request_t);
        request.method = str(method);
        record.head = HORNET_HEAD_INIT(hornet_access_record_t);
        record.request = &request;
        record.status = status;
        record.duration_us = duration_us;
        record.queued_us = queued_us;
        record.body_bytes = 14;
        record.request_bytes = 40;
    }
};

TEST(RequestMetrics, IndexesMethodsStatusesAndBuckets) {
    EXPECT_EQ(kMethods[method_index("GET")], "GET");
    EXPECT_EQ(kMethods[method_index("OPTIONS")], "OPTIONS");
    EXPECT_EQ(kMethods[method_index("BREW")], "other");
    EXPECT_EQ(kMethods[method_index("get")], "other") << "methods are case-sensitive";
    EXPECT_EQ(kStatusClasses[status_class_index(204)], "2xx");
    EXPECT_EQ(kStatusClasses[status_class_index(599)], "5xx");
    EXPECT_EQ(kStatusClasses[status_class_index(0)], "other");
    EXPECT_EQ(kStatusClasses[status_class_index(600)], "other");
    EXPECT_EQ(bucket_index(0), 0u);
    EXPECT_EQ(bucket_index(500), 0u) << "a bound is in its own bucket (le)";
    EXPECT_EQ(bucket_index(501), 1u);
    EXPECT_EQ(bucket_index(10'000'001), kBuckets - 1);
}

TEST(RequestMetrics, RecordsAnExchangeAndSumsIt) {
    auto slot = std::make_unique<RequestMetrics>();
    slot->reset();
    slot->record(Exchange("GET", 200, 700, 3000).record);
    slot->record(Exchange("POST", 503, 20, -1).record);
    MetricTotals t;
    t.add(*slot);
    EXPECT_EQ(t.requests[status_class_index(200)][method_index("GET")], 1u);
    EXPECT_EQ(t.requests[status_class_index(503)][method_index("POST")], 1u);
    EXPECT_EQ(t.request_count(), 2u);
    EXPECT_EQ(t.by_code[200 - kFirstCode], 1u);
    EXPECT_EQ(t.duration.count(), 2u);
    EXPECT_EQ(t.duration.buckets[1], 1u);
    EXPECT_EQ(t.duration.sum_us, 720u);
    EXPECT_EQ(t.queue.count(), 1u) << "an unmeasured queue time is not observed";
    EXPECT_EQ(t.queue.buckets[bucket_index(3000)], 1u);
    EXPECT_EQ(t.request_bytes, 80u);
    EXPECT_EQ(t.response_body_bytes, 28u);
    slot->reset();
    MetricTotals zero;
    zero.add(*slot);
    EXPECT_EQ(zero.request_count(), 0u);
}

TEST(RequestMetrics, ARefusedHeadCountsByItsLinesMethod) {
    auto slot = std::make_unique<RequestMetrics>();
    hornet_access_record_t r{};
    r.head = HORNET_HEAD_INIT(hornet_access_record_t);
    r.request_line = str("DELETE /x HTTP/1.1");
    r.status = 400;
    r.queued_us = 5;
    slot->record(r);
    MetricTotals t;
    t.add(*slot);
    EXPECT_EQ(t.requests[status_class_index(400)][method_index("DELETE")], 1u);
    EXPECT_EQ(t.queue.count(), 0u);
}

TEST(RequestMetrics, AnOlderWorkerTypesShortRecordStopsBeforeItsEnd) {
    auto slot = std::make_unique<RequestMetrics>();
    Exchange e("GET", 200, 10, 99);
    e.record.head.struct_size = offsetof(hornet_access_record_t, queued_us); // a 1.2 record
    slot->record(e.record);
    MetricTotals t;
    t.add(*slot);
    EXPECT_EQ(t.request_count(), 1u);
    EXPECT_EQ(t.queue.count(), 0u);
    EXPECT_EQ(t.request_bytes, 0u);
}

TEST(SlotMetrics, ThreadsCountIntoShardsThatSumUp) {
    auto slot = std::make_unique<SlotMetrics>();
    slot->reset();
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) slot->record(Exchange("GET", 200, 1, 1).record);
        });
    for (auto& t : threads) t.join();
    MetricTotals t;
    t.add(*slot);
    EXPECT_EQ(t.request_count(), 6000u);
    std::size_t used = 0;
    for (const RequestMetrics& shard : slot->shards) {
        MetricTotals one;
        one.add(shard);
        used += one.request_count() != 0;
    }
    EXPECT_GT(used, 1u) << "threads spread over the shards";
}

TEST(MetricsArchive, KeepsWhatExitedWorkersCountedByType) {
    MetricsArchive archive;
    archive.name_generation(1, "sync");
    archive.name_generation(2, "async");
    auto slot = std::make_unique<SlotMetrics>();
    slot->record(Exchange("GET", 200, 1, 1).record);
    archive.retire(1, *slot);
    archive.retire(1, *slot);
    archive.retire(2, *slot);
    EXPECT_EQ(archive.retired().at("sync").request_count(), 2u);
    EXPECT_EQ(archive.retired().at("async").request_count(), 1u);
    EXPECT_EQ(archive.worker_type(3), "");
}

} // namespace
} // namespace hornet::metrics
