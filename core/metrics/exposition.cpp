// Which metrics /metrics shows, and how each is labelled; see exposition.hpp.
#include "metrics/exposition.hpp"

#include <hornet/abi.h>

#include "metrics/prometheus_text.hpp"

namespace hornet::metrics {
namespace {

void build_info(PrometheusText& out, const ServerView& v) {
    static const std::string abi = std::to_string(HORNET_ABI_MAJOR) + "." + std::to_string(HORNET_ABI_MINOR);
    out.family("hornet_build_info", "gauge", "Always 1: the hornet version and the plugin ABI it speaks");
    out.sample("hornet_build_info", {{"version", HORNET_VERSION}, {"abi", abi}}, std::uint64_t{1});
    out.family("hornet_start_time_seconds", "gauge", "When the arbiter started, Unix time");
    out.sample("hornet_start_time_seconds", {}, v.start_unix_s);
}

void requests(PrometheusText& out, const ServerView& v) {
    out.family("hornet_http_requests_total", "counter",
               "Requests answered (refused heads too), by worker type, status class and method");
    for (const auto& [type, t] : v.totals) {
        for (std::size_t c = 0; c < kStatusClasses.size(); ++c) {
            for (std::size_t m = 0; m < kMethods.size(); ++m) {
                if (t.requests[c][m] == 0) continue;
                out.sample("hornet_http_requests_total",
                           {{"worker_type", type}, {"status_class", kStatusClasses[c]}, {"method", kMethods[m]}},
                           t.requests[c][m]);
            }
        }
    }
}

void histograms(PrometheusText& out, const ServerView& v) {
    out.family("hornet_http_request_duration_seconds", "histogram",
               "From the request's first byte to its response sent");
    for (const auto& [type, t] : v.totals)
        out.histogram("hornet_http_request_duration_seconds", {{"worker_type", type}}, kBucketBoundsUs,
                      t.duration.buckets, t.duration.sum_us);
    out.family("hornet_http_request_queue_seconds", "histogram",
               "From the connection queued by the kernel (or a keep-alive request's first byte) to the app");
    for (const auto& [type, t] : v.totals)
        out.histogram("hornet_http_request_queue_seconds", {{"worker_type", type}}, kBucketBoundsUs,
                      t.queue.buckets, t.queue.sum_us);
}

void bytes(PrometheusText& out, const ServerView& v) {
    out.family("hornet_http_request_bytes_total", "counter", "Request bytes read: heads and bodies");
    for (const auto& [type, t] : v.totals)
        out.sample("hornet_http_request_bytes_total", {{"worker_type", type}}, t.request_bytes);
    out.family("hornet_http_response_body_bytes_total", "counter", "Response body bytes sent");
    for (const auto& [type, t] : v.totals)
        out.sample("hornet_http_response_body_bytes_total", {{"worker_type", type}}, t.response_body_bytes);
}

void live(PrometheusText& out, const ServerView& v) {
    out.family("hornet_http_requests_in_flight", "gauge", "Requests with the app now");
    for (const auto& [type, g] : v.live)
        out.sample("hornet_http_requests_in_flight", {{"worker_type", type}}, static_cast<double>(g.in_flight));
    out.family("hornet_connections_open", "gauge", "Client connections the workers hold open");
    for (const auto& [type, g] : v.live)
        out.sample("hornet_connections_open", {{"worker_type", type}}, static_cast<double>(g.connections));
    out.family("hornet_workers", "gauge", "Worker processes alive");
    for (const auto& [type, g] : v.live) out.sample("hornet_workers", {{"worker_type", type}}, g.workers);
}

void workers(PrometheusText& out, const ServerView& v) {
    out.family("hornet_worker_resident_memory_bytes", "gauge", "Resident memory (RSS) of each worker process");
    for (const WorkerView& w : v.workers) {
        if (!w.rss_bytes) continue;
        const std::string pid = std::to_string(w.pid), slot = std::to_string(w.slot);
        out.sample("hornet_worker_resident_memory_bytes",
                   {{"pid", pid}, {"slot", slot}, {"worker_type", w.worker_type}}, *w.rss_bytes);
    }
}

void listeners(PrometheusText& out, const ServerView& v) {
    out.family("hornet_listen_queue_length", "gauge",
               "Connections accepted by the kernel and waiting for a worker's accept(), per listener");
    for (const ListenerView& l : v.listeners)
        if (l.queue) out.sample("hornet_listen_queue_length", {{"listener", l.address}}, std::uint64_t{l.queue->length});
    out.family("hornet_listen_queue_limit", "gauge", "The listen backlog of each listener");
    for (const ListenerView& l : v.listeners)
        if (l.queue) out.sample("hornet_listen_queue_limit", {{"listener", l.address}}, std::uint64_t{l.queue->limit});
}

void restarts(PrometheusText& out, const ServerView& v) {
    out.family("hornet_worker_restarts_total", "counter", "Workers replaced, by the reason the arbiter had");
    const RestartCounts& r = v.restarts;
    const std::pair<const char*, std::uint64_t> reasons[] = {
        {"crash", r.died},     {"timeout", r.timeout}, {"max_requests", r.max_requests},
        {"memory", r.max_worker_memory}, {"memory_hard", r.max_worker_memory_hard}, {"reload", r.reload}};
    for (const auto& [reason, n] : reasons) out.sample("hornet_worker_restarts_total", {{"reason", reason}}, n);
}

void reloads(PrometheusText& out, const ServerView& v) {
    const ReloadCounts& r = v.reloads;
    out.family("hornet_reloads_total", "counter", "Reloads (HUP), by result");
    out.sample("hornet_reloads_total", {{"result", "success"}}, r.succeeded);
    out.sample("hornet_reloads_total", {{"result", "failure"}}, r.failed);
    out.family("hornet_reload_last_success", "gauge", "1 when the last reload succeeded (or none was made), else 0");
    out.sample("hornet_reload_last_success", {}, std::uint64_t{r.last_succeeded ? 1u : 0u});
    out.family("hornet_reload_last_timestamp_seconds", "gauge", "When the last reload ended, Unix time; 0: none yet");
    out.sample("hornet_reload_last_timestamp_seconds", {}, static_cast<double>(r.last_unix_ms) / 1000.0);
}

void log_lines(PrometheusText& out, const ServerView& v) {
    out.family("hornet_log_messages_total", "counter", "Error-log lines written, arbiter and workers, by level");
    for (std::size_t i = 0; i < v.log_lines.size(); ++i)
        out.sample("hornet_log_messages_total", {{"level", LogCounts::kLevels[i]}}, v.log_lines[i]);
}

void app_counters(PrometheusText& out, const ServerView& v) {
    for (const AppCounterView& c : v.app_counters) {
        std::string_view base = c.name;
        if (base.ends_with("_total")) base.remove_suffix(6);
        const std::string name = "hornet_app_" + std::string(base) + "_total";
        out.family(name, "counter", c.help.empty() ? "A counter of the app's own (hornet.metrics/1)" : c.help);
        out.sample(name, {}, c.value);
    }
}

} // namespace

std::string exposition(const ServerView& view) {
    PrometheusText out;
    for (auto part : {build_info, requests, histograms, bytes, live, workers, listeners, restarts, reloads,
                      log_lines, app_counters})
        part(out, view);
    return out.text();
}

MetricTotals ServerView::all() const {
    MetricTotals sum;
    for (const auto& [type, t] : totals) sum.add(t);
    return sum;
}

} // namespace hornet::metrics
