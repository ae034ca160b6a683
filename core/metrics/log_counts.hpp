// LogCounts: the error-log lines written at warning, error and critical, by
// every process of the tree (arbiter and workers: the counters are in the
// scoreboard's shared memory), for hornet_log_messages_total and statsd's
// gunicorn.log.<level>. log_counting_sink() is a spdlog sink that counts
// into the installed table; the logger setup (core/log) adds it to every
// logger it makes, so a reload's new logger keeps counting.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include <spdlog/sinks/sink.h>

namespace hornet::metrics {

struct LogCounts {
    static constexpr std::array<std::string_view, 3> kLevels = {"warning", "error", "critical"};
    std::array<std::atomic<std::uint64_t>, kLevels.size()> lines;

    // The table of this process tree (the arbiter's scoreboard), or null.
    static void install(LogCounts* table);
};

// A sink that counts, or null when no table is installed.
spdlog::sink_ptr log_counting_sink();

} // namespace hornet::metrics
