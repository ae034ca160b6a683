// argv -> CommandLine, with CLI11, the options generated from the settings
// table (core/config/settings.cpp).
//
// Called only by command_line.cpp. Gunicorn's flag names: --worker-class for
// worker_class, with -b -w -k -t -c as short forms. The positional APP sets
// `app`. Parsing stops at syntax: values are checked later by the codecs,
// when the CliLayer is applied, so every source gets the same checks.
#pragma once

#include <string>
#include <variant>

#include "config/cli_layer.hpp"
#include "config/setting.hpp"

namespace hornet {

struct CommandLine {
    std::string config_file;  // -c/--config, "" when absent
    CliLayer cli;             // settings given on the command line, table order
    bool check_config = false;
    bool print_config = false;
    bool list_plugins = false;
};

// A setting's flags for CLI11: "-p,--pid" (short form, long form, aliases).
std::string cli_flag_names(const Setting& s);

// --help/--version print to stdout and yield exit status 0. Syntax errors
// (unknown option, missing argument) throw ConfigError.
std::variant<CommandLine, int> parse_command_line(int argc, char** argv);

} // namespace hornet
