// Gunicorn's statsd names from totals; see statsd_lines.hpp.
#include "metrics/statsd_lines.hpp"

#include <cmath>
#include <cstdio>

namespace hornet::metrics {
namespace {

// The value a bucket stands for, in milliseconds: the middle of its bounds
// (the last, open one: its lower bound).
double bucket_ms(std::size_t i) {
    if (i == kBucketBoundsUs.size()) return static_cast<double>(kBucketBoundsUs.back()) / 1000.0;
    const double low = i == 0 ? 0.0 : static_cast<double>(kBucketBoundsUs[i - 1]);
    return (low + static_cast<double>(kBucketBoundsUs[i])) / 2000.0;
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

class Lines {
public:
    explicit Lines(const StatsdNaming& n) : prefix_(statsd_prefix(n.prefix)), tags_(n.tags) {}
    void counter(const std::string& name, std::uint64_t n) {
        if (n != 0) add(name + ":" + std::to_string(n) + "|c|@1.0");
    }
    void timing(const std::string& name, double ms, std::uint64_t n) {
        if (n != 0) add(name + ":" + number(ms) + "|ms" + (n == 1 ? "" : "|@" + number(1.0 / static_cast<double>(n))));
    }
    void gauge(const std::string& name, std::uint64_t v) { add(name + ":" + std::to_string(v) + "|g"); }
    std::vector<std::string> take() { return std::move(lines_); }

private:
    void add(const std::string& body) { lines_.push_back(prefix_ + body + (tags_.empty() ? "" : "|#" + tags_)); }

    std::string prefix_;
    std::string tags_;
    std::vector<std::string> lines_;
};

std::uint64_t app_before(const std::vector<AppCounterView>& before, const std::string& name) {
    for (const AppCounterView& c : before)
        if (c.name == name) return c.value;
    return 0;
}

} // namespace

std::string statsd_prefix(const std::string& configured) {
    std::string p = configured;
    while (!p.empty() && p.back() == '.') p.pop_back();
    return p.empty() ? p : p + ".";
}

StatsdSnapshot StatsdSnapshot::of(const ServerView& view) { return {view.all(), view.app_counters, view.log_lines}; }

std::vector<std::string> statsd_lines(const StatsdNaming& naming, const StatsdSnapshot& now_all,
                                      const StatsdSnapshot& before_all, std::uint64_t workers) {
    const MetricTotals& now = now_all.totals;
    const MetricTotals& before = before_all.totals;
    Lines out(naming);
    out.counter("gunicorn.requests", now.request_count() - before.request_count());
    for (std::size_t i = 0; i < kCodes; ++i)
        out.counter("gunicorn.request.status." + std::to_string(kFirstCode + static_cast<int>(i)),
                    now.by_code[i] - before.by_code[i]);
    for (std::size_t i = 0; i < kBuckets; ++i)
        out.timing("gunicorn.request.duration", bucket_ms(i), now.duration.buckets[i] - before.duration.buckets[i]);
    out.gauge("gunicorn.workers", workers);
    for (std::size_t i = 0; i < LogCounts::kLevels.size(); ++i)
        out.counter("gunicorn.log." + std::string(LogCounts::kLevels[i]), now_all.log_lines[i] - before_all.log_lines[i]);
    for (const AppCounterView& c : now_all.apps)
        out.counter("app." + c.name, c.value - app_before(before_all.apps, c.name));
    return out.take();
}

} // namespace hornet::metrics
