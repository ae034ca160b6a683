// What a client asked the metrics endpoint, from the bytes received so far:
// a small hand-written reader for the one request it serves (GET or HEAD
// /metrics), bounded, so that core/ stays free of an HTTP library. Anything
// else gets a status to refuse it with. Pure; any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace hornet::metrics {

struct MetricsRequest {
    int status = 0;         // 0: the head is not complete yet; 200, 400, 404, 405 or 431
    bool head_only = false; // HEAD: the headers without the body
};

inline constexpr std::size_t kMaxRequestHead = 8192;

MetricsRequest read_metrics_request(std::string_view received);

} // namespace hornet::metrics
