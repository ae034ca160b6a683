// The Prometheus page of /metrics: every hornet metric, named as the
// Prometheus naming guide asks (hornet_ prefix, base units: _seconds,
// _bytes, counters _total), from one ServerView. docs/metrics.md lists them.
#pragma once

#include <string>

#include "metrics/server_view.hpp"

namespace hornet::metrics {

std::string exposition(const ServerView& view);

} // namespace hornet::metrics
