// --print-config: the effective Config as YAML that hornet accepts back (-c).
//
// Called by main.cpp (through core/cli/command_line.hpp) and by tests that
// check the round trip print -> load -> print. Walks the settings table, so a
// new setting is printed without touching this file.
#pragma once

#include <string>

#include "config/config.hpp"

namespace hornet {

// Canonical names, table order; an automatic worker count is printed as
// "auto" with a comment giving the number and how (Config::workers_rule).
std::string to_yaml(const Config& config);

} // namespace hornet
