// The statsd lines for what happened since the last report, named as
// Gunicorn names them (gunicorn/instrument/statsd.py), so that existing
// dashboards keep working:
//   <prefix>gunicorn.requests:N|c|@1.0            requests answered
//   <prefix>gunicorn.request.status.<code>:N|c|@1.0
//   <prefix>gunicorn.request.duration:MS|ms|@R    one line per duration
//       bucket that filled, MS its middle, R = 1/N (statsd counts 1/R
//       samples of MS: the count is exact, the value is the bucket's)
//   <prefix>gunicorn.workers:N|g
//   <prefix>gunicorn.log.<level>:N|c|@1.0         warning, error, critical lines
//   <prefix>app.<name>:N|c|@1.0                   hornet.metrics/1 counters
// each followed by |#<dogstatsd_tags> when tags are set. Pure.
#pragma once

#include <string>
#include <vector>

#include "metrics/metric_totals.hpp"
#include "metrics/server_view.hpp"

namespace hornet::metrics {

struct StatsdNaming {
    std::string prefix; // as configured: "app" and "app." both give "app."
    std::string tags;   // dogstatsd_tags, "" for none
};

// The counters a report is the difference of.
struct StatsdSnapshot {
    MetricTotals totals; // every worker type together
    std::vector<AppCounterView> apps;
    std::array<std::uint64_t, LogCounts::kLevels.size()> log_lines{};

    static StatsdSnapshot of(const ServerView& view);
};

std::vector<std::string> statsd_lines(const StatsdNaming& naming, const StatsdSnapshot& now,
                                      const StatsdSnapshot& before, std::uint64_t workers);

// Gunicorn's rule: a non-empty prefix ends with exactly one '.'.
std::string statsd_prefix(const std::string& configured);

} // namespace hornet::metrics
