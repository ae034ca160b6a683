// Builds the effective Config from its sources, in rising precedence:
// defaults < YAML file < HORNET_* environment < command line.
//
// Called by core/cli on start-up and on every SIGHUP reload with the same
// ConfigSources, so a reload re-reads the file but keeps the environment
// snapshot and the command-line values of the first start.
#pragma once

#include <string>

#include "config/cli_layer.hpp"
#include "config/config.hpp"
#include "config/env_layer.hpp"

namespace hornet {

struct ConfigSources {
    std::string config_file;  // as given with -c ("" = no file); named in errors
    std::string config_path;  // the same file made absolute at start-up; opened
    EnvSnapshot env;
    CliLayer cli;
};

// Throws ConfigError; the result is validated and has workers resolved.
Config load_config(const ConfigSources& sources);

// workers == 0 means "not set" or "auto": 2 x CPUs + 1, as Gunicorn
// recommends, where CPUs are those this process may use (its CPU affinity
// and its cgroup's CPU quota, rounded up; see process/container_limits.hpp).
// Sets workers_rule to say how.
void resolve_workers(Config& config);

} // namespace hornet
