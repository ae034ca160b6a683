// One generation: a configuration and everything its workers need, built by
// the arbiter at start and on every reload. Workers are forked from it and
// never see another. The old generation lives on until its last worker is
// gone; then its plugins are closed (a preloaded app instance is destroyed
// first) and the listeners only it used are closed. Arbiter only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <sys/types.h>
#include <vector>

#include "arbiter/reconciler.hpp"
#include "config/config.hpp"
#include "host/host_services.hpp"
#include "listen/listener_pool.hpp"
#include "log/access_log.hpp"
#include "plugin/plugin_set.hpp"
#include "tls/tls_plan.hpp"

namespace hornet {

struct Generation {
    // Checks the TLS certificates (ConfigError), binds (or keeps) the listeners, opens the access log, resolves the
    // user and group, and creates the app here when preload_app is set.
    // Throws std::runtime_error with one line.
    Generation(std::uint32_t id, Config config, PluginSet plugins, ListenerPool& pool);
    ~Generation();
    Generation(const Generation&) = delete;
    Generation& operator=(const Generation&) = delete;

    std::uint32_t id;
    Config config;
    PluginSet plugins;
    std::vector<std::shared_ptr<Listener>> listeners;
    std::vector<int> listen_fds;
    std::unique_ptr<TlsPlan> tls; // which listeners speak TLS; certificates checked
    // "Listening at: ..." for listener i (https:// when it speaks TLS).
    std::string listening_at(std::size_t i) const;
    std::unique_ptr<AccessLog> access_log;
    std::unique_ptr<HostServices> host;
    uid_t uid = static_cast<uid_t>(-1); // -1: leave as is
    gid_t gid = static_cast<gid_t>(-1);
    std::optional<void*> preloaded; // the app instance made in the arbiter (null is an instance too)

    // What the log calls it: "generation 2 (worker sync, app hello 1.0)".
    std::string describe() const;
    // Its numbers, as the Reconciler decides with them.
    WorkerPlan plan() const;
};

// A listener that `next` keeps from `serving` (the same socket) but speaks
// with the other scheme (plain <-> TLS): its "Listening at:" url in `next`,
// or "" when none switches.
std::string switched_listener(const Generation& serving, const Generation& next);

} // namespace hornet
