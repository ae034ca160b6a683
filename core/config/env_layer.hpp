// The environment layer: HORNET_<NAME> variables, above the file and below
// the command line.
//
// parse_invocation() snapshots the environment once (capture_env) so that a
// SIGHUP reload re-applies the same values even if the process environment
// has changed since. Unknown HORNET_* variables are ignored (other tools may
// share the prefix); there is no HORNET_CONFIG.
#pragma once

#include <map>
#include <string>

#include "config/config.hpp"

namespace hornet {

using EnvSnapshot = std::map<std::string, std::string>; // HORNET_* only

EnvSnapshot capture_env(char** envp); // envp may be null: empty snapshot

// Throws ConfigError "environment HORNET_WORKERS: ...".
void apply_env(const EnvSnapshot& env, Config& config);

} // namespace hornet
