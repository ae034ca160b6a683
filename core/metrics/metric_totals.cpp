// Summing slots; see metric_totals.hpp.
#include "metrics/metric_totals.hpp"

#include <numeric>

namespace hornet::metrics {
namespace {

template <std::size_t N>
void add_counters(std::array<std::uint64_t, N>& to, const std::array<std::atomic<std::uint64_t>, N>& from) {
    for (std::size_t i = 0; i < N; ++i) to[i] += from[i].load(std::memory_order_relaxed);
}

template <std::size_t N>
void add_counters(std::array<std::uint64_t, N>& to, const std::array<std::uint64_t, N>& from) {
    for (std::size_t i = 0; i < N; ++i) to[i] += from[i];
}

void add_histogram(HistogramTotals& to, const Histogram& from) {
    add_counters(to.buckets, from.buckets);
    to.sum_us += from.sum_us.load(std::memory_order_relaxed);
}

void add_histogram(HistogramTotals& to, const HistogramTotals& from) {
    add_counters(to.buckets, from.buckets);
    to.sum_us += from.sum_us;
}

} // namespace

std::uint64_t HistogramTotals::count() const { return std::accumulate(buckets.begin(), buckets.end(), 0ull); }

void MetricTotals::add(const SlotMetrics& slot) {
    for (const RequestMetrics& shard : slot.shards) add(shard);
}

void MetricTotals::add(const RequestMetrics& slot) {
    for (std::size_t c = 0; c < requests.size(); ++c) add_counters(requests[c], slot.requests[c]);
    add_histogram(duration, slot.duration);
    add_histogram(queue, slot.queue);
    request_bytes += slot.request_bytes.load(std::memory_order_relaxed);
    response_body_bytes += slot.response_body_bytes.load(std::memory_order_relaxed);
    add_counters(by_code, slot.by_code);
}

void MetricTotals::add(const MetricTotals& other) {
    for (std::size_t c = 0; c < requests.size(); ++c) add_counters(requests[c], other.requests[c]);
    add_histogram(duration, other.duration);
    add_histogram(queue, other.queue);
    request_bytes += other.request_bytes;
    response_body_bytes += other.response_body_bytes;
    add_counters(by_code, other.by_code);
}

void MetricsArchive::name_generation(std::uint32_t generation, std::string worker_type) {
    types_[generation] = std::move(worker_type);
}

const std::string& MetricsArchive::worker_type(std::uint32_t generation) const {
    static const std::string none;
    auto it = types_.find(generation);
    return it == types_.end() ? none : it->second;
}

std::uint64_t MetricTotals::request_count() const {
    std::uint64_t n = 0;
    for (const auto& row : requests) n = std::accumulate(row.begin(), row.end(), n);
    return n;
}

} // namespace hornet::metrics
