// RequestMetrics: what one worker counts about the requests it answered, in
// its scoreboard slot (shared memory), for the arbiter's /metrics and statsd.
//
// Fixed layout, no pointers, relaxed atomics only: the worker's serving
// threads add (a gthread worker's threads share the slot, so fetch_add),
// the arbiter reads at any time and sums. record() is the one function that
// counts a finished exchange, whichever way it reached the host
// (exchange_end of an ABI 1.3 worker type, access_log of an older one).
// Histogram buckets are counted one by one (not cumulative): one add per
// observation; the exposition makes them cumulative. A slot holds a few
// RequestMetrics (SlotMetrics), one per serving thread, so that a gthread
// worker's threads do not pass the same cache lines to and fro on every
// request (measured: 19 ns a record alone, ~250 ns with 4 threads on one).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <hornet/worker.h>

namespace hornet::metrics {

// The methods counted by name; everything else is "other".
inline constexpr std::array<std::string_view, 8> kMethods = {"GET",    "HEAD",  "POST",    "PUT",
                                                             "DELETE", "PATCH", "OPTIONS", "other"};
// 1xx..5xx, and "other" for a status outside 100..599 (0: no response sent).
inline constexpr std::array<std::string_view, 6> kStatusClasses = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
// Upper bounds of the duration and queue-time buckets, in microseconds;
// one more bucket (+Inf) follows. Seconds in the exposition.
inline constexpr std::array<std::uint64_t, 14> kBucketBoundsUs = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
inline constexpr std::size_t kBuckets = kBucketBoundsUs.size() + 1;
// Exact status codes (for statsd's gunicorn.request.status.<code>).
inline constexpr int kFirstCode = 100;
inline constexpr std::size_t kCodes = 500; // 100..599

std::size_t method_index(std::string_view method);
std::size_t status_class_index(int status);
std::size_t bucket_index(std::uint64_t us);

struct Histogram {
    std::array<std::atomic<std::uint64_t>, kBuckets> buckets;
    std::atomic<std::uint64_t> sum_us;

    void observe(std::uint64_t us);
};

struct alignas(64) RequestMetrics {
    std::array<std::array<std::atomic<std::uint64_t>, kMethods.size()>, kStatusClasses.size()> requests;
    Histogram duration;
    Histogram queue; // only requests whose queue time was measured
    std::atomic<std::uint64_t> request_bytes;
    std::atomic<std::uint64_t> response_body_bytes;
    std::array<std::atomic<std::uint64_t>, kCodes> by_code; // status - kFirstCode

    // [worker, any thread] One finished exchange (or a refused head).
    void record(const hornet_access_record_t& record);
    // [arbiter] Zero, for a slot given to a new worker.
    void reset();
};

struct SlotMetrics {
    static constexpr std::size_t kShards = 4;
    std::array<RequestMetrics, kShards> shards;

    // [worker, any thread] Into this thread's shard (threads beyond
    // kShards share, with fetch_add as ever).
    void record(const hornet_access_record_t& record);
    void reset();
};

} // namespace hornet::metrics
