// The shape of one setting, and the lookup functions over the settings table.
//
// The table itself is in settings.cpp: one row per setting, the single source
// of truth for the YAML loader, the environment layer, the CLI builder
// (core/cli), --help and the printer. Adding a setting is adding a row there
// (plus its field in config.hpp).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/config.hpp"

namespace hornet {

// How a setting's value is read into and printed from a Config. Every source
// hands `set` a YAML node: the file's own node, or a scalar (environment, one
// CLI value) or a sequence (a repeated CLI option) built from strings.
struct Codec {
    std::string_view type_name;  // for --help: INT, DURATION, SIZE, ...
    bool list = false;           // a list: the CLI option may be repeated
    std::function<void(Config&, const YAML::Node&)> set;  // throws ValueError
    std::function<YAML::Node(const Config&)> get;        // text `set` accepts back
    bool flag = false;           // a switch: the CLI option takes no value
};

enum class CliForm { option, positional, none };

struct Setting {
    std::string_view name{};                // snake_case: YAML key; flag and env derive from it
    std::vector<std::string_view> aliases{}; // Gunicorn's names, accepted in YAML
    std::string_view short_flag{};          // "-w", or "" for none
    std::vector<std::string_view> cli_aliases{}; // Gunicorn's other flags: "--log-file", "-p"
    CliForm cli = CliForm::option;
    bool env = true;                        // read from HORNET_<NAME>?
    std::string_view default_text{};        // for --help; "" = print the default Config's value
    std::string_view help{};
    Codec codec{};

    std::string long_flag() const;  // "--worker-class"
    std::string env_name() const;   // "HORNET_WORKER_CLASS"
};

const std::vector<Setting>& settings();

// By canonical name or alias; nullptr if unknown.
const Setting* find_setting(std::string_view name_or_alias);

// Every canonical name and alias, for "did you mean".
std::vector<std::string_view> setting_names();

// What --help shows as the default.
std::string default_text(const Setting& s);

} // namespace hornet
