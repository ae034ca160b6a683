// Building and describing a generation; see generation.hpp.
#include "arbiter/generation.hpp"

#include <cstdlib>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace hornet {
namespace {

bool is_number(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

uid_t resolve_user(const std::string& user, gid_t& primary_gid) {
    passwd* pw = is_number(user) ? ::getpwuid(static_cast<uid_t>(std::stoul(user))) : ::getpwnam(user.c_str());
    if (!pw && is_number(user)) return static_cast<uid_t>(std::stoul(user));
    if (!pw) throw std::runtime_error("user '" + user + "': no such user");
    primary_gid = pw->pw_gid;
    return pw->pw_uid;
}

gid_t resolve_group(const std::string& group) {
    if (is_number(group)) return static_cast<gid_t>(std::stoul(group));
    struct group* gr = ::getgrnam(group.c_str());
    if (!gr) throw std::runtime_error("group '" + group + "': no such group");
    return gr->gr_gid;
}

// What the host tells apps about the process (WSGI's multithread and
// multiprocess): threads only count under a worker type that uses them.
ProcessFacts facts(const Config& config, const hornet_worker_t& worker, std::uint32_t generation) {
    bool concurrent = worker.flags & HORNET_WORKER_CONCURRENT;
    bool event_loop = worker.flags & HORNET_WORKER_EVENT_LOOP; // ABI 1.1 flag; 0 in older descriptors
    return ProcessFacts{concurrent ? config.threads : 1u, config.workers > 1, event_loop, 0, generation};
}

// Gunicorn's raw_env (-e KEY=VALUE): set in the arbiter, before the app is
// created here (preload_app) or in the workers, which inherit it at fork.
void apply_raw_env(const std::vector<std::string>& entries) {
    for (const std::string& e : entries) {
        const std::size_t eq = e.find('=');
        if (::setenv(e.substr(0, eq).c_str(), e.c_str() + eq + 1, 1) != 0)
            throw std::runtime_error("raw_env '" + e + "': cannot set it in the environment");
    }
}

void* preload(const PluginSet& plugins, const HostServices& host) {
    char err[512] = "";
    void* instance = nullptr;
    if (plugins.app->create(host.table(), &instance, err, sizeof err) == HORNET_OK) return instance;
    err[sizeof err - 1] = '\0';
    throw std::runtime_error("app " + std::string(plugins.app->name) + " failed to start in the arbiter: " +
                             (err[0] ? err : "create() failed"));
}

} // namespace

Generation::Generation(std::uint32_t id_, Config config_, PluginSet plugins_, ListenerPool& pool)
    : id(id_), config(std::move(config_)), plugins(std::move(plugins_)), tls(std::make_unique<TlsPlan>(config)) {
    tls->check(plugins.worker->name, plugins.worker->flags); // before binding: a bad certificate binds nothing
    for (const auto& spec : tls->specs) {
        listeners.push_back(pool.acquire(spec, config.backlog, config.umask));
        listen_fds.push_back(listeners.back()->fd());
    }
    access_log = std::make_unique<AccessLog>(config.access_logfile, config.access_log_format);
    if (!config.user.empty()) uid = resolve_user(config.user, gid);
    if (!config.group.empty()) gid = resolve_group(config.group);
    apply_raw_env(config.raw_env);
    host = std::make_unique<HostServices>(config.app_config, facts(config, plugins.worker.descriptor(), id));
    if (config.preload_app) preloaded = preload(plugins, *host);
}

Generation::~Generation() {
    if (preloaded) plugins.app->destroy(*preloaded);
}

std::string Generation::listening_at(std::size_t i) const {
    return listening_url(listeners.at(i)->url(), tls->listen_tls.at(i) != 0);
}

std::string switched_listener(const Generation& serving, const Generation& next) {
    for (std::size_t i = 0; i < next.listeners.size(); ++i)
        for (std::size_t j = 0; j < serving.listeners.size(); ++j)
            if (next.listeners[i] == serving.listeners[j] && next.tls->listen_tls[i] != serving.tls->listen_tls[j])
                return next.listening_at(i);
    return {};
}

std::string Generation::describe() const {
    return "generation " + std::to_string(id) + " (worker " + plugins.worker->name + ", app " +
           plugins.app->name + " " + (plugins.app->version ? plugins.app->version : "") + ")";
}

WorkerPlan Generation::plan() const {
    return WorkerPlan{
        .name = describe(),
        .workers = config.workers,
        .timeout_ms = config.timeout.count(),
        .dump_timeout_ms = config.dump_timeout.count(),
        .graceful_timeout_ms = config.graceful_timeout.count(),
        .max_requests = config.max_requests,
        .max_requests_jitter = config.max_requests_jitter,
        .max_worker_memory = config.max_worker_memory,
        .max_worker_memory_hard = config.max_worker_memory_hard,
        .memory_metric = config.worker_memory_metric == "pss" ? MemoryMetric::pss : MemoryMetric::rss,
        .memory_check_interval_ms = config.memory_check_interval.count(),
    };
}

} // namespace hornet
