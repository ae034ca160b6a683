// ServerView: what the arbiter knows at one moment, in the shape the
// metrics need (the Prometheus page and the statsd deltas are both made
// from it). Gathered by the Arbiter (arbiter_metrics.cpp) from the
// scoreboard, the Supervisor and the Reconciler, so that core/metrics never
// reaches into the arbiter's parts. Plain data; arbiter thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "arbiter/reconciler.hpp"
#include "metrics/log_counts.hpp"
#include "metrics/metric_totals.hpp"

namespace hornet::metrics {

struct WorkerView {
    pid_t pid = 0;
    int slot = 0;
    std::string worker_type;
    bool ready = false;
    std::optional<std::uint64_t> rss_bytes; // nullopt: /proc said nothing
};

// TCP_INFO of a listening socket (listen_queue.hpp).
struct ListenQueue {
    std::uint32_t length = 0; // connections the kernel accepted, waiting for accept()
    std::uint32_t limit = 0;  // the backlog the socket listens with
};

struct ListenerView {
    std::string address;              // the listener's URL
    std::optional<ListenQueue> queue; // nullopt: not TCP, or TCP_INFO failed
};

// Gauges of the live workers, by worker type.
struct LiveGauges {
    std::int64_t in_flight = 0;
    std::int64_t connections = 0;
    std::uint64_t workers = 0;
};

struct AppCounterView {
    std::string name;
    std::string help;
    std::uint64_t value = 0;
};

struct ServerView {
    TotalsByType totals;                  // live workers plus the ones that exited
    std::map<std::string, LiveGauges> live;
    std::vector<WorkerView> workers;
    std::vector<ListenerView> listeners;
    RestartCounts restarts;
    ReloadCounts reloads;
    std::vector<AppCounterView> app_counters;
    std::array<std::uint64_t, LogCounts::kLevels.size()> log_lines{}; // by LogCounts::kLevels
    double start_unix_s = 0;

    MetricTotals all() const; // every worker type together
};

} // namespace hornet::metrics
