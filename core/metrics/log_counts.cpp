// Counting error-log lines by level; see log_counts.hpp.
#include "metrics/log_counts.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace hornet::metrics {
namespace {

LogCounts* g_counts = nullptr;

// Writes nothing: one relaxed add per line at warning or above. The logger
// already serializes its sinks.
class CountingSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (!g_counts || msg.level < spdlog::level::warn || msg.level > spdlog::level::critical) return;
        g_counts->lines[static_cast<std::size_t>(msg.level - spdlog::level::warn)].fetch_add(1, std::memory_order_relaxed);
    }
    void flush_() override {}
};

} // namespace

void LogCounts::install(LogCounts* table) {
    const bool first = g_counts == nullptr;
    g_counts = table;
    // The logger made before the scoreboard existed counts from now on.
    if (first && table) spdlog::default_logger()->sinks().push_back(log_counting_sink());
}

spdlog::sink_ptr log_counting_sink() {
    if (!g_counts) return nullptr;
    static const spdlog::sink_ptr sink = std::make_shared<CountingSink>();
    return sink;
}

} // namespace hornet::metrics
