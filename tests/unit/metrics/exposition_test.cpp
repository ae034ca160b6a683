// The Prometheus page and the statsd lines made from one ServerView.
#include "metrics/exposition.hpp"
#include "metrics/prometheus_text.hpp"
#include "metrics/statsd_lines.hpp"

#include <gtest/gtest.h>

namespace hornet::metrics {
namespace {

bool has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

ServerView sample_view() {
    ServerView v;
    MetricTotals& t = v.totals["gthread"];
    t.requests[status_class_index(200)][method_index("GET")] = 7;
    t.duration.buckets[0] = 5;
    t.duration.buckets[kBuckets - 1] = 2;
    t.duration.sum_us = 2'500'000;
    v.live["gthread"] = {1, 3, 2};
    v.workers.push_back({4242, 3, "gthread", true, 1048576});
    v.listeners.push_back({"http://127.0.0.1:8000", ListenQueue{4, 2048}});
    v.listeners.push_back({"unix:/run/a.sock", std::nullopt});
    v.restarts.died = 2;
    v.reloads = {3, 1, false, 1500};
    v.app_counters.push_back({"jobs_total", "Jobs \\ done\nnow", 9});
    v.log_lines = {4, 1, 0};
    return v;
}

TEST(Exposition, NamesLabelsAndTypesFollowTheGuide) {
    const std::string text = exposition(sample_view());
    EXPECT_TRUE(has(text, "# TYPE hornet_http_requests_total counter"));
    EXPECT_TRUE(has(text, R"(hornet_http_requests_total{worker_type="gthread",status_class="2xx",method="GET"} 7)"));
    EXPECT_EQ(text.find("status_class=\"4xx\""), std::string::npos) << "zero series are left out";
    EXPECT_TRUE(has(text, R"(hornet_http_request_duration_seconds_bucket{worker_type="gthread",le="0.0005"} 5)"));
    EXPECT_TRUE(has(text, R"(hornet_http_request_duration_seconds_bucket{worker_type="gthread",le="10"} 5)"));
    EXPECT_TRUE(has(text, R"(hornet_http_request_duration_seconds_bucket{worker_type="gthread",le="+Inf"} 7)"));
    EXPECT_TRUE(has(text, R"(hornet_http_request_duration_seconds_sum{worker_type="gthread"} 2.5)"));
    EXPECT_TRUE(has(text, R"(hornet_http_request_duration_seconds_count{worker_type="gthread"} 7)"));
    EXPECT_TRUE(has(text, R"(hornet_connections_open{worker_type="gthread"} 3)"));
    EXPECT_TRUE(has(text, R"(hornet_worker_resident_memory_bytes{pid="4242",slot="3",worker_type="gthread"} 1048576)"));
    EXPECT_TRUE(has(text, R"(hornet_listen_queue_length{listener="http://127.0.0.1:8000"} 4)"));
    EXPECT_EQ(text.find("a.sock"), std::string::npos) << "no TCP_INFO for a unix socket";
    EXPECT_TRUE(has(text, R"(hornet_worker_restarts_total{reason="crash"} 2)"));
    EXPECT_TRUE(has(text, R"(hornet_reloads_total{result="failure"} 1)"));
    EXPECT_TRUE(has(text, "hornet_reload_last_success 0"));
    EXPECT_TRUE(has(text, "hornet_reload_last_timestamp_seconds 1.5"));
    EXPECT_TRUE(has(text, "# HELP hornet_app_jobs_total Jobs \\\\ done\\nnow"));
    EXPECT_TRUE(has(text, "hornet_app_jobs_total 9")) << "a name's own _total is not doubled";
    EXPECT_TRUE(has(text, R"(hornet_log_messages_total{level="warning"} 4)"));
    EXPECT_TRUE(has(text, R"(hornet_log_messages_total{level="critical"} 0)"));
}

TEST(PrometheusText, EscapesLabelValues) {
    PrometheusText out;
    out.sample("x", {{"l", "a\"b\\c\nd"}}, std::uint64_t{1});
    EXPECT_EQ(out.text(), "x{l=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(StatsdLines, GunicornsNamesFromDeltas) {
    MetricTotals before, now;
    now.requests[1][0] = 5;
    now.by_code[200 - kFirstCode] = 4;
    now.by_code[404 - kFirstCode] = 1;
    now.duration.buckets[2] = 4; // 1..2.5 ms
    now.duration.buckets[0] = 1;
    before = now;
    now.requests[1][0] = 9;
    now.by_code[200 - kFirstCode] = 8;
    now.duration.buckets[2] = 8;
    StatsdSnapshot then{before, {{"jobs", "", 2}}, {1, 0, 0}};
    StatsdSnapshot later{now, {{"jobs", "", 12}}, {3, 0, 0}};
    const auto lines = statsd_lines({"shop..", "env:prod"}, later, then, 3);
    const std::vector<std::string> want = {
        "shop.gunicorn.requests:4|c|@1.0|#env:prod",
        "shop.gunicorn.request.status.200:4|c|@1.0|#env:prod",
        "shop.gunicorn.request.duration:1.75|ms|@0.25|#env:prod",
        "shop.gunicorn.workers:3|g|#env:prod",
        "shop.gunicorn.log.warning:2|c|@1.0|#env:prod",
        "shop.app.jobs:10|c|@1.0|#env:prod",
    };
    EXPECT_EQ(lines, want);
    EXPECT_EQ(statsd_prefix(""), "");
    EXPECT_EQ(statsd_prefix("a.b"), "a.b.");
}

} // namespace
} // namespace hornet::metrics
