// What the control commands report, as JSON (docs/control.md has every
// field): a row per worker for `status` and `workers`, the restart counts,
// a loaded plugin, a configuration's settings. Pure views of the arbiter's
// state, built on demand; no decision is taken here. Arbiter thread only.
#pragma once

#include <cstdint>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "arbiter/reconciler.hpp"
#include "arbiter/supervisor.hpp"
#include "arbiter/system.hpp"
#include "config/config.hpp"
#include "plugin/plugin_library.hpp"

namespace hornet {

// Every live worker, oldest first: pid, worker_id, generation, state
// (booting, ready, retiring, timed_out, killed), age_ms, requests,
// connections, rss_bytes (null when /proc says nothing), heartbeat_age_ms,
// in_flight (requests with the app now) and request (the latest of them:
// method, path, age_ms; null when idle).
boost::json::array worker_rows(Supervisor& workers, System& system, std::int64_t now_ms);

boost::json::object restart_counts(const RestartCounts& counts);

// {kind, name, version, abi, path}
template <class Descriptor>
boost::json::object plugin_report(const char* kind, const PluginLibrary<Descriptor>& plugin);

// Every setting by its canonical name, valued as --print-config prints it:
// a scalar as a string, a list as an array, a map as an object.
boost::json::object settings_report(const Config& config);

} // namespace hornet
