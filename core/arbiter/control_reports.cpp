// The control commands' JSON views; see control_reports.hpp.
#include "arbiter/control_reports.hpp"

#include <algorithm>
#include <vector>

#include "config/setting.hpp"

namespace hornet {
namespace {

namespace json = boost::json;

const char* state_of(const WorkerRecord& w, const ScoreboardSlot& s) {
    if (w.memory_killed) return "killed";
    if (w.aborted_at_ms != 0) return "timed_out";
    if (w.retiring) return "retiring";
    return s.state.load() == WorkerState::ready ? "ready" : "booting";
}

// The latest request with the app, while any is (ABI 1.3 exchange_begin).
json::value busy_request(const ScoreboardSlot& s, std::int64_t now) {
    auto busy = s.busy.read();
    if (!busy) return nullptr;
    return json::object{
        {"method", busy->method}, {"path", busy->path}, {"age_ms", std::max<std::int64_t>(0, now - busy->since_ms)}};
}

json::object worker_row(pid_t pid, const WorkerRecord& w, const ScoreboardSlot& s, System& system, std::int64_t now) {
    json::object row;
    row["pid"] = pid;
    row["worker_id"] = w.worker_id;
    row["generation"] = w.generation;
    row["state"] = state_of(w, s);
    row["age_ms"] = now - w.started_ms;
    row["requests"] = s.requests.load();
    row["connections"] = s.connections.load();
    auto rss = system.memory_bytes(pid, MemoryMetric::rss);
    row["rss_bytes"] = rss ? json::value(*rss) : json::value(nullptr);
    row["heartbeat_age_ms"] = std::max<std::int64_t>(0, now - s.last_beat_ms.load());
    row["in_flight"] = s.in_flight.load();
    row["request"] = busy_request(s, now);
    return row;
}

json::value from_yaml(const YAML::Node& node) {
    if (node.IsSequence()) {
        json::array out;
        for (const YAML::Node& item : node) out.push_back(from_yaml(item));
        return out;
    }
    if (node.IsMap()) {
        json::object out;
        for (const auto& kv : node) out[kv.first.as<std::string>()] = from_yaml(kv.second);
        return out;
    }
    if (node.IsScalar()) return json::value(node.Scalar());
    return nullptr;
}

} // namespace

json::array worker_rows(Supervisor& workers, System& system, std::int64_t now_ms) {
    std::vector<std::pair<pid_t, const WorkerRecord*>> order;
    for (const auto& [pid, w] : workers.workers()) order.emplace_back(pid, &w);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.second->started_ms < b.second->started_ms; });
    json::array rows;
    for (const auto& [pid, w] : order) rows.push_back(worker_row(pid, *w, workers.slot_of(*w), system, now_ms));
    return rows;
}

json::object restart_counts(const RestartCounts& c) {
    return {{"max_requests", c.max_requests},
            {"max_worker_memory", c.max_worker_memory},
            {"max_worker_memory_hard", c.max_worker_memory_hard},
            {"timeout", c.timeout},
            {"died", c.died}};
}

template <class Descriptor>
json::object plugin_report(const char* kind, const PluginLibrary<Descriptor>& plugin) {
    const Descriptor& d = plugin.descriptor();
    return {{"kind", kind},
            {"name", d.name ? d.name : ""},
            {"version", d.version ? d.version : ""},
            {"abi", std::to_string(d.head.abi_major) + "." + std::to_string(d.head.abi_minor)},
            {"path", plugin.path().string()}};
}

template json::object plugin_report(const char*, const PluginLibrary<hornet_app_t>&);
template json::object plugin_report(const char*, const PluginLibrary<hornet_worker_t>&);

json::object settings_report(const Config& config) {
    json::object out;
    for (const Setting& s : settings()) out[s.name] = from_yaml(s.codec.get(config));
    return out;
}

} // namespace hornet
