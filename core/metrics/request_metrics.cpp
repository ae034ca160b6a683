// Counting one exchange into a slot's RequestMetrics; see request_metrics.hpp.
#include "metrics/request_metrics.hpp"

#include <algorithm>

#include "hornet/support/text.hpp"

namespace hornet::metrics {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// A refused head has no parsed request: its method is the line's first word.
std::string_view method_of(const hornet_access_record_t& r) {
    if (r.request) return support::view(r.request->method);
    const std::string_view line = support::view(r.request_line);
    return line.substr(0, line.find(' '));
}

template <std::size_t N>
void zero(std::array<std::atomic<std::uint64_t>, N>& counters) {
    for (auto& c : counters) c.store(0, kRelaxed);
}

} // namespace

std::size_t method_index(std::string_view method) {
    const auto* it = std::find(kMethods.begin(), kMethods.end() - 1, method);
    return static_cast<std::size_t>(it - kMethods.begin()); // "other" when not found
}

std::size_t status_class_index(int status) {
    if (status < 100 || status > 599) return kStatusClasses.size() - 1;
    return static_cast<std::size_t>(status / 100 - 1);
}

// A linear scan from the smallest bound: most requests fall in the first
// bucket or two, so this is one or two compares where a binary search over
// the 14 bounds took 45 instructions a call on hello (callgrind).
std::size_t bucket_index(std::uint64_t us) {
    std::size_t i = 0;
    while (i < kBucketBoundsUs.size() && us > kBucketBoundsUs[i]) ++i;
    return i;
}

void Histogram::observe(std::uint64_t us) {
    buckets[bucket_index(us)].fetch_add(1, kRelaxed);
    sum_us.fetch_add(us, kRelaxed);
}

void RequestMetrics::record(const hornet_access_record_t& r) {
    requests[status_class_index(r.status)][method_index(method_of(r))].fetch_add(1, kRelaxed);
    if (r.status >= kFirstCode && r.status < kFirstCode + static_cast<int>(kCodes))
        by_code[static_cast<std::size_t>(r.status - kFirstCode)].fetch_add(1, kRelaxed);
    duration.observe(static_cast<std::uint64_t>(std::max<int64_t>(r.duration_us, 0)));
    response_body_bytes.fetch_add(r.body_bytes, kRelaxed);
    // A 1.0-1.2 worker type's record ends before the ABI 1.3 fields.
    if (!HORNET_HAS(&r, hornet_access_record_t, request_bytes)) return;
    if (r.queued_us >= 0 && r.request) queue.observe(static_cast<std::uint64_t>(r.queued_us));
    request_bytes.fetch_add(r.request_bytes, kRelaxed);
}

// Threads take shards in the order they first record: a gthread worker's
// first kShards threads each have their own.
std::size_t this_thread_shard() {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t shard = next.fetch_add(1, kRelaxed) % SlotMetrics::kShards;
    return shard;
}

void SlotMetrics::record(const hornet_access_record_t& r) { shards[this_thread_shard()].record(r); }

void SlotMetrics::reset() {
    for (RequestMetrics& m : shards) m.reset();
}

void RequestMetrics::reset() {
    for (auto& row : requests) zero(row);
    for (Histogram* h : {&duration, &queue}) {
        zero(h->buckets);
        h->sum_us.store(0, kRelaxed);
    }
    request_bytes.store(0, kRelaxed);
    response_body_bytes.store(0, kRelaxed);
    zero(by_code);
}

} // namespace hornet::metrics
