// MetricTotals: RequestMetrics summed, in the arbiter's own memory.
//
// The arbiter reads every live slot into totals per worker type, and adds
// the totals of the workers that exited (MetricsArchive), so a counter only
// ever grows: across worker crashes, recycling and reloads alike. Arbiter
// thread only.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "metrics/request_metrics.hpp"

namespace hornet::metrics {

struct HistogramTotals {
    std::array<std::uint64_t, kBuckets> buckets{};
    std::uint64_t sum_us = 0;

    std::uint64_t count() const;
};

struct MetricTotals {
    std::array<std::array<std::uint64_t, kMethods.size()>, kStatusClasses.size()> requests{};
    HistogramTotals duration;
    HistogramTotals queue;
    std::uint64_t request_bytes = 0;
    std::uint64_t response_body_bytes = 0;
    std::array<std::uint64_t, kCodes> by_code{};

    void add(const RequestMetrics& shard); // relaxed reads of a live or dead slot
    void add(const SlotMetrics& slot);
    void add(const MetricTotals& other);
    std::uint64_t request_count() const;
};

// Worker type name -> totals.
using TotalsByType = std::map<std::string, MetricTotals>;

// What exited workers had counted, kept by worker type, and which worker
// type each generation runs (a slot knows its generation).
class MetricsArchive {
public:
    void name_generation(std::uint32_t generation, std::string worker_type);
    // "" for a generation never named.
    const std::string& worker_type(std::uint32_t generation) const;
    // A worker's slot is about to be given back: keep what it counted.
    void retire(std::uint32_t generation, const SlotMetrics& slot) { retired_[worker_type(generation)].add(slot); }
    const TotalsByType& retired() const { return retired_; }

private:
    std::map<std::uint32_t, std::string> types_; // a few bytes per reload, kept for good
    TotalsByType retired_;
};

} // namespace hornet::metrics
