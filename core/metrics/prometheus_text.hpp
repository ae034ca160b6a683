// PrometheusText: writes the Prometheus text exposition format (0.0.4):
// a family's # HELP and # TYPE once, then its samples, label values escaped
// (\\, \" and \n). It knows the format, not hornet's metrics (exposition.cpp
// says which there are). Arbiter thread only.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace hornet::metrics {

using Label = std::pair<std::string_view, std::string_view>;

class PrometheusText {
public:
    // Opens a family: type is counter, gauge or histogram.
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
    void sample(std::string_view name, std::initializer_list<Label> labels, double value);
    // name_bucket{...,le="..."} for each bound (cumulative), then +Inf,
    // name_sum and name_count. bounds_us and counts: buckets.size() - 1 bounds.
    template <class Bounds, class Counts>
    void histogram(std::string_view name, std::initializer_list<Label> labels, const Bounds& bounds_us,
                   const Counts& counts, std::uint64_t sum_us);

    const std::string& text() const { return out_; }

private:
    void head(std::string_view name, std::initializer_list<Label> labels, const Label* extra);
    void bucket(std::string_view name, std::initializer_list<Label> labels, std::string_view le, std::uint64_t n);

    std::string out_;
};

// Seconds from microseconds, as the exposition writes them ("0.0025").
std::string seconds_text(std::uint64_t us);

template <class Bounds, class Counts>
void PrometheusText::histogram(std::string_view name, std::initializer_list<Label> labels, const Bounds& bounds_us,
                               const Counts& counts, std::uint64_t sum_us) {
    std::uint64_t running = 0;
    const std::string bucket_name = std::string(name) + "_bucket";
    for (std::size_t i = 0; i < bounds_us.size(); ++i) {
        running += counts[i];
        bucket(bucket_name, labels, seconds_text(bounds_us[i]), running);
    }
    running += counts[bounds_us.size()];
    bucket(bucket_name, labels, "+Inf", running);
    sample(std::string(name) + "_sum", labels, static_cast<double>(sum_us) / 1e6);
    sample(std::string(name) + "_count", labels, running);
}

} // namespace hornet::metrics
