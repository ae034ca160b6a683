// The entry point of the config component for core/main.cpp: argv + the
// -c file + the environment -> one validated Config, and again on SIGHUP.
//
// Sources, in rising precedence: defaults < YAML file (-c) < HORNET_*
// environment < command line. Errors never escape as exceptions from
// parse_invocation: they are printed as one line "hornet: error: ..." and
// turned into exit status 2. On SIGHUP the arbiter replays `sources` through
// load_config, which throws ConfigError so the arbiter can log it and keep the
// running config.
#pragma once

#include <string>
#include <variant>

#include "config/config.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "config/yaml_printer.hpp" // to_yaml(const Config&)

namespace hornet {

struct Invocation {
    Config config;             // effective, validated, workers resolved
    bool check_config = false; // --check-config: main validates and exits
    bool print_config = false; // --print-config: main prints to_yaml(config) and exits
    bool list_plugins = false; // --list-plugins: main prints the plugin catalog and exits
    ConfigSources sources;     // file path, environment snapshot, CLI values: replayed on SIGHUP
};

// The sources parse_invocation loads a Config from: -c's file (or
// ./gunicorn.conf.py when there is one and no -c), made absolute; the
// HORNET_* environment; the command line's settings. `hornet ctl` builds
// its own the same way, to find the control socket the server computed.
ConfigSources config_sources(const std::string& config_file, CliLayer cli, char** envp);

// Parses argv (and reads the -c file and the environment). On --help or
// --version prints to stdout and returns 0; on an error prints ONE line to
// stderr ("hornet: error: <line>") and returns 2. envp may be null.
std::variant<Invocation, int> parse_invocation(int argc, char** argv, char** envp);

// to_yaml(const Config&) comes from config/yaml_printer.hpp: the effective
// config as YAML that parse_invocation accepts back via -c.

} // namespace hornet
