#include "host/host_services.hpp"

#include <iterator>
#include <sstream>

#include <spdlog/spdlog.h>

#include "metrics/app_counters.hpp"

namespace hornet {
namespace {

spdlog::level::level_enum to_spdlog(int level) {
    switch (level) {
    case HORNET_LOG_DEBUG: return spdlog::level::debug;
    case HORNET_LOG_INFO: return spdlog::level::info;
    case HORNET_LOG_WARNING: return spdlog::level::warn;
    case HORNET_LOG_ERROR: return spdlog::level::err;
    default: return spdlog::level::critical;
    }
}

bool is_index(const std::string& part) {
    return !part.empty() && part.size() < 10 && part.find_first_not_of("0123456789") == std::string::npos;
}

// Walks "a.b.c" through nested maps and (ABI 1.2) lists ("pythonpath.0");
// an undefined node when absent.
YAML::Node walk(const YAML::Node& root, const std::string& key) {
    YAML::Node node = YAML::Clone(root);
    std::istringstream parts(key);
    for (std::string part; std::getline(parts, part, '.');) {
        if (node.IsMap()) {
            node.reset(node[part]); // reset rebinds; operator= would assign into the node
        } else if (node.IsSequence() && is_index(part) && std::stoul(part) < node.size()) {
            node.reset(node[std::stoul(part)]);
        } else {
            return YAML::Node(YAML::NodeType::Undefined);
        }
        if (!node.IsDefined()) return node;
    }
    return node;
}

} // namespace

HostServices::HostServices(const YAML::Node& app_config, ProcessFacts facts)
    : app_config_(YAML::Clone(app_config)), facts_(facts) {
    table_ = hornet_host_t{
        .head = HORNET_HEAD_INIT(hornet_host_t),
        .host_data = this,
        .log = &HostServices::log,
        .config_get = &HostServices::config_get,
        .query = &HostServices::query,
        .get_extension = &HostServices::get_extension,
        .config_key_at = &HostServices::config_key_at,
    };
}

void HostServices::set_worker(int worker_id, unsigned generation) {
    facts_.worker_id = worker_id;
    facts_.generation = generation;
}

HostServices& HostServices::self(const hornet_host_t* host) {
    return *static_cast<HostServices*>(host->host_data);
}

void HostServices::log(const hornet_host_t*, int level, hornet_str_t msg) {
    try {
        spdlog::log(to_spdlog(level), "{}", std::string_view(msg.ptr ? msg.ptr : "", msg.len));
    } catch (...) {
        // Logging must never take a plugin down.
    }
}

int HostServices::config_get(const hornet_host_t* host, const char* key, hornet_str_t* out) {
    if (!host || !key || !out) return HORNET_EINVAL;
    try {
        return self(host).lookup(key, out);
    } catch (...) {
        return HORNET_EINTERNAL;
    }
}

int HostServices::lookup(const char* key, hornet_str_t* out) {
    std::lock_guard lock(mutex_);
    YAML::Node node = walk(app_config_, key);
    if (!node.IsDefined() || node.IsNull()) return HORNET_ENOENT;
    if (!node.IsScalar()) return HORNET_EINVAL;
    const std::string& value = values_.try_emplace(key, node.Scalar()).first->second;
    *out = hornet_str_t{value.c_str(), value.size()};
    return HORNET_OK;
}

int HostServices::config_key_at(const hornet_host_t* host, const char* key, size_t index, hornet_str_t* out) {
    if (!host || !key || !out) return HORNET_EINVAL;
    try {
        return self(host).key_at(key, index, out);
    } catch (...) {
        return HORNET_EINTERNAL;
    }
}

int HostServices::key_at(const char* key, size_t index, hornet_str_t* out) {
    std::lock_guard lock(mutex_);
    YAML::Node node = *key ? walk(app_config_, key) : YAML::Clone(app_config_);
    if (!node.IsMap() || index >= node.size()) return HORNET_ENOENT;
    auto it = node.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(index));
    const std::string& name = keys_.try_emplace({key, index}, it->first.Scalar()).first->second;
    *out = hornet_str_t{name.c_str(), name.size()};
    return HORNET_OK;
}

int64_t HostServices::query(const hornet_host_t* host, int what) {
    if (!host) return HORNET_EINVAL;
    const ProcessFacts& f = self(host).facts_;
    switch (what) {
    case HORNET_QUERY_THREADS: return f.threads;
    case HORNET_QUERY_MULTIPROCESS: return f.multiprocess ? 1 : 0;
    case HORNET_QUERY_ASYNC: return f.async ? 1 : 0;
    case HORNET_QUERY_WORKER_ID: return f.worker_id;
    case HORNET_QUERY_GENERATION: return f.generation;
    default: return HORNET_ENOENT;
    }
}

// The host's own (ABI 1.3: "hornet.metrics/1", in every process), then the
// ones the worker type in this process offers (ABI 1.1; none in the arbiter).
const void* HostServices::get_extension(const hornet_host_t* host, const char* id) {
    if (!host || !id) return nullptr;
    if (std::string_view(id) == HORNET_EXT_METRICS) return metrics::AppCounters::extension();
    try {
        return self(host).find_extension(id);
    } catch (...) {
        return nullptr;
    }
}

const void* HostServices::find_extension(const char* id) {
    std::lock_guard lock(extensions_mutex_);
    for (const Extension& e : extensions_) {
        if (e.table && e.id == id) return e.table;
    }
    return nullptr;
}

int HostServices::provide_extension(const char* id, const void* table) {
    if (!id || !*id || !table || static_cast<const hornet_head_t*>(table)->magic != HORNET_MAGIC)
        return HORNET_EINVAL;
    std::lock_guard lock(extensions_mutex_);
    Extension* slot = nullptr;
    for (Extension& e : extensions_) {
        if (e.table && e.id == id) slot = &e; // offered again: the newer table wins
        else if (!e.table && !slot) slot = &e;
    }
    if (!slot) return HORNET_ENOMEM;
    slot->id = id;
    slot->table = table;
    return HORNET_OK;
}

void HostServices::withdraw_extensions() {
    std::lock_guard lock(extensions_mutex_);
    for (Extension& e : extensions_) e = Extension{};
}

} // namespace hornet
