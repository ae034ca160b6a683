// hornet ctl's human output; see ctl_render.hpp. Field names are those of
// docs/control.md; a field missing from a reply shows as "-".
#include "cli/ctl_render.hpp"

#include <cstdio>
#include <ostream>

#include "cli/text_table.hpp"
#include "control/json_line.hpp"

namespace hornet {
namespace {

namespace json = boost::json;

const json::value& field(const json::object& o, std::string_view key) {
    static const json::value missing;
    const json::value* v = o.if_contains(key);
    return v ? *v : missing;
}

std::int64_t number(const json::value& v) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
    return 0;
}

std::string text(const json::value& v) {
    switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::int64: return std::to_string(v.get_int64());
    case json::kind::uint64: return std::to_string(v.get_uint64());
    case json::kind::bool_: return v.get_bool() ? "yes" : "no";
    case json::kind::null: return "-";
    default: return to_json_line(v);
    }
}

std::string ms_text(const json::value& v) { return v.is_null() ? "-" : duration_text(number(v)); }

std::string rss_text(const json::value& v) {
    return v.is_null() ? "-" : bytes_text(static_cast<std::uint64_t>(number(v)));
}

const json::array& list(const json::object& o, std::string_view key) {
    static const json::array empty;
    const json::value& v = field(o, key);
    return v.is_array() ? v.get_array() : empty;
}

// "GET /slow for 1.2s", or "-" when idle.
std::string request_text(const json::value& v) {
    if (!v.is_object()) return "-";
    const json::object& r = v.get_object();
    return text(field(r, "method")) + " " + text(field(r, "path")) + " for " + ms_text(field(r, "age_ms"));
}

void print_workers(std::ostream& out, const json::array& workers) {
    TextTable table(
        {"PID", "ID", "GEN", "STATE", "AGE", "REQUESTS", "CONNS", "INFLIGHT", "RSS", "HEARTBEAT", "REQUEST"});
    for (const json::value& v : workers) {
        if (!v.is_object()) continue;
        const json::object& w = v.get_object();
        table.add({text(field(w, "pid")), text(field(w, "worker_id")), text(field(w, "generation")),
                   text(field(w, "state")), ms_text(field(w, "age_ms")), text(field(w, "requests")),
                   text(field(w, "connections")), text(field(w, "in_flight")), rss_text(field(w, "rss_bytes")),
                   ms_text(field(w, "heartbeat_age_ms")) + " ago", request_text(field(w, "request"))});
    }
    table.print(out);
}

std::string restarts_text(const json::value& v) {
    if (!v.is_object()) return "-";
    std::string out;
    for (const auto& [reason, count] : v.get_object()) {
        if (number(count) == 0) continue;
        out += (out.empty() ? "" : ", ") + text(count) + " " + std::string(reason);
    }
    return out.empty() ? "none" : out;
}

std::size_t ready_workers(const json::object& status) {
    std::size_t n = 0;
    for (const json::value& v : list(status, "workers")) {
        if (!v.is_object()) continue;
        const json::object& w = v.get_object();
        n +=
            text(field(w, "state")) == "ready" && number(field(w, "generation")) == number(field(status, "generation"));
    }
    return n;
}

void print_status(std::ostream& out, const json::object& s) {
    out << "hornet " << text(field(s, "version")) << ", arbiter pid " << text(field(s, "pid")) << ", up "
        << ms_text(field(s, "uptime_ms")) << "\n";
    out << "serving:   " << text(field(s, "serving")) << "; " << ready_workers(s) << " of "
        << text(field(s, "workers_target")) << " workers ready\n";
    const json::value& file = field(s, "config_file");
    out << "config:    " << (file.is_null() ? "none (defaults, environment and command line)" : text(file)) << "\n";
    for (const json::value& l : list(s, "listeners")) out << "listening: " << text(l) << "\n";
    if (!field(s, "reloading").is_null())
        out << "reloading: generation " << text(field(s, "reloading")) << " is booting\n";
    if (field(s, "stopping").is_bool() && field(s, "stopping").get_bool()) out << "stopping\n";
    out << "restarts:  " << restarts_text(field(s, "restarts")) << "\n\n";
    print_workers(out, list(s, "workers"));
}

void print_plugin_rows(TextTable& table, const json::object& gen) {
    const std::string serving = field(gen, "serving").is_bool() && field(gen, "serving").get_bool() ? "serving" : "";
    for (const char* kind : {"worker", "app"}) {
        const json::value& p = field(gen, kind);
        if (!p.is_object()) continue;
        const json::object& o = p.get_object();
        table.add({text(field(gen, "generation")), serving, kind, text(field(o, "name")), text(field(o, "version")),
                   text(field(o, "abi")), text(field(o, "path"))});
    }
}

void print_plugins(std::ostream& out, const json::object& r) {
    TextTable table({"GEN", "", "KIND", "NAME", "VERSION", "ABI", "PATH"});
    for (const json::value& g : list(r, "generations"))
        if (g.is_object()) print_plugin_rows(table, g.get_object());
    table.print(out);
}

void print_help(std::ostream& out, const json::object& r) {
    TextTable table({"COMMAND", "WHAT IT DOES"});
    for (const json::value& c : list(r, "commands"))
        if (c.is_object()) table.add({text(field(c.get_object(), "usage")), text(field(c.get_object(), "summary"))});
    table.print(out);
}

void print_fields(std::ostream& out, const json::object& r) {
    for (const auto& [key, value] : r) out << std::string(key) << ": " << text(value) << "\n";
}

void print_config(std::ostream& out, const json::object& r) { out << text(field(r, "yaml")); }
void print_reload(std::ostream& out, const json::object& r) {
    out << "Reloaded: now serving " << text(field(r, "serving")) << "\n";
}
void print_scale(std::ostream& out, const json::object& r) { out << "Workers: " << text(field(r, "workers")) << "\n"; }
void print_reopened(std::ostream& out, const json::object&) { out << "Reopened log files\n"; }

void print_stop(std::ostream& out, const json::object& r) {
    const json::value& graceful = field(r, "graceful");
    out << (graceful.is_bool() && graceful.get_bool() ? "Stopping gracefully\n" : "Stopping\n");
}

void print_workers_of(std::ostream& out, const json::object& r) { print_workers(out, list(r, "workers")); }

// One row per built-in command; any other prints as "key: value" lines.
struct Renderer {
    const char* command;
    void (*print)(std::ostream&, const json::object&);
};
const Renderer renderers[] = {
    {"status", print_status}, {"workers", print_workers_of}, {"plugins", print_plugins},      {"help", print_help},
    {"config", print_config}, {"reload", print_reload},      {"scale", print_scale},          {"incr", print_scale},
    {"decr", print_scale},    {"stop", print_stop},          {"reopen-logs", print_reopened},
};

} // namespace

std::string duration_text(std::int64_t ms) {
    char buf[32];
    if (ms < 1000) std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
    else if (ms < 60'000) std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
    else if (ms < 3'600'000) std::snprintf(buf, sizeof buf, "%lldm %02llds", ms / 60'000LL, ms / 1000 % 60LL);
    else if (ms < 86'400'000) std::snprintf(buf, sizeof buf, "%lldh %02lldm", ms / 3'600'000LL, ms / 60'000 % 60LL);
    else std::snprintf(buf, sizeof buf, "%lldd %02lldh", ms / 86'400'000LL, ms / 3'600'000 % 24LL);
    return buf;
}

std::string bytes_text(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / 1048576.0);
    return buf;
}

void render_result(std::ostream& out, const std::string& command, const json::object& result) {
    for (const Renderer& r : renderers)
        if (command == r.command) return r.print(out, result);
    print_fields(out, result);
}

} // namespace hornet
