// What the metrics see of the arbiter: the ServerView gathered from the
// scoreboard (live slots plus what exited workers counted), the Supervisor
// (which workers there are, their memory), the Reconciler (restarts and
// reloads) and the serving listeners. core/metrics renders and sends it.
#include "arbiter/arbiter.hpp"

#include <chrono>

#include "metrics/listen_queue.hpp"

namespace hornet {

void Arbiter::start_metrics() {
    start_unix_s_ = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    metrics::AppCounters::install(&scoreboard_.app_counters());
    metrics::LogCounts::install(&scoreboard_.log_counts());
    scoreboard_.on_release([this](const ScoreboardSlot& slot) {
        metric_archive_.retire(slot.generation.load(std::memory_order_relaxed), slot.metrics);
    });
    metrics_ = std::make_unique<metrics::MetricsService>(io_, [this] { return gather_metrics(); });
}

void Arbiter::name_generation(const Generation& gen) {
    metric_archive_.name_generation(gen.id, gen.plugins.worker->name);
}

namespace {

void add_workers(metrics::ServerView& view, Supervisor& supervisor, System& system,
                 const metrics::MetricsArchive& archive) {
    for (const auto& [pid, w] : supervisor.workers()) {
        const ScoreboardSlot& s = supervisor.slot_of(w);
        const std::string& type = archive.worker_type(w.generation);
        view.totals[type].add(s.metrics);
        metrics::LiveGauges& g = view.live[type];
        g.in_flight += s.in_flight.load(std::memory_order_relaxed);
        g.connections += s.connections.load(std::memory_order_relaxed);
        ++g.workers;
        view.workers.push_back({pid, w.slot, type, supervisor.is_ready(w), system.memory_bytes(pid, MemoryMetric::rss)});
    }
}

} // namespace

metrics::ServerView Arbiter::gather_metrics() {
    metrics::ServerView view;
    for (const auto& [type, totals] : metric_archive_.retired()) view.totals[type].add(totals);
    add_workers(view, supervisor_, system_, metric_archive_);
    if (generations_.count(reconciler_.active()))
        for (const auto& l : active().listeners) view.listeners.push_back({l->url(), metrics::listen_queue(l->fd())});
    view.restarts = reconciler_.restarts();
    view.reloads = reconciler_.reloads();
    scoreboard_.app_counters().for_each([&view](const metrics::AppCounters::View& c) {
        view.app_counters.push_back({std::string(c.name), std::string(c.help), c.value});
    });
    for (std::size_t i = 0; i < view.log_lines.size(); ++i)
        view.log_lines[i] = scoreboard_.log_counts().lines[i].load(std::memory_order_relaxed);
    view.start_unix_s = start_unix_s_;
    return view;
}

} // namespace hornet
