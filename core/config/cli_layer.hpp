// The command-line layer as plain data: which settings were given on the
// command line and with what text. The highest-precedence layer.
//
// core/cli fills a CliLayer from argv with CLI11; config_loader.cpp applies it
// last, on the first load and again on every reload. Kept free of CLI11 so
// it can be stored in an Invocation and replayed.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace hornet {

struct Setting;

struct CliValue {
    const Setting* setting;           // a row of the settings table
    std::vector<std::string> values;  // one for a single-value setting; one per repetition for a list
};

using CliLayer = std::vector<CliValue>;

// Throws ConfigError "--workers: ..." (or "APP: ..." for the positional).
void apply_cli(const CliLayer& cli, Config& config);

} // namespace hornet
