// The metrics endpoint's request reader: what it serves and what it refuses.
#include "metrics/metrics_request.hpp"

#include <string>

#include <gtest/gtest.h>

namespace hornet::metrics {
namespace {

int status_of(const std::string& bytes) { return read_metrics_request(bytes).status; }

TEST(MetricsRequest, ServesGetAndHeadOfMetrics) {
    EXPECT_EQ(status_of("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    EXPECT_EQ(status_of("GET /metrics?name[]=up HTTP/1.0\r\n\r\n"), 200);
    const MetricsRequest head = read_metrics_request("HEAD /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.head_only);
    EXPECT_FALSE(read_metrics_request("GET /metrics HTTP/1.1\r\n\r\n").head_only);
}

TEST(MetricsRequest, WaitsForTheWholeHead) {
    EXPECT_EQ(status_of(""), 0);
    EXPECT_EQ(status_of("GET /metrics HTTP/1.1\r\nHost: x\r\n"), 0);
}

TEST(MetricsRequest, RefusesEverythingElse) {
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 404);
    EXPECT_EQ(status_of("GET /metricsx HTTP/1.1\r\n\r\n"), 404);
    EXPECT_EQ(status_of("POST /metrics HTTP/1.1\r\n\r\n"), 405);
    EXPECT_EQ(status_of("DELETE /metrics HTTP/1.1\r\n\r\n"), 405);
    EXPECT_EQ(status_of("GET /metrics\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET  /metrics HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET /metrics HTTP/2.0\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET /metrics HTTP/1.1 extra\r\n\r\n"), 400);
    EXPECT_EQ(status_of(std::string("GET /me\x01trics HTTP/1.1\r\n\r\n")), 400);
}

TEST(MetricsRequest, BoundsTheHead) {
    const std::string big = "GET /metrics HTTP/1.1\r\nX: " + std::string(kMaxRequestHead, 'a');
    EXPECT_EQ(status_of(big), 431) << "too long without an end";
    EXPECT_EQ(status_of(big + "\r\n\r\n"), 431);
}

} // namespace
} // namespace hornet::metrics
