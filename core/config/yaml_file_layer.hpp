// The YAML file layer: reads a config file and applies its settings.
//
// Called by config_loader.cpp, above the defaults and below the environment.
// Keys are the canonical snake_case names or Gunicorn's aliases; every error
// (missing file, YAML syntax, unknown key, bad value, duplicate) becomes a
// ConfigError of one line starting with "path:line:column:".
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "config/config.hpp"

namespace hornet {

// `shown_path` is what error messages name (as the user wrote it); `path` is
// what is opened (absolute, so a reload after a chdir still finds it).
void apply_yaml_file(const std::string& path, const std::string& shown_path, Config& config);

// The same for a map of settings read some other way (a gunicorn.conf.py's
// values, python_config_file.cpp); errors name `shown_path`.
void apply_settings_document(const YAML::Node& root, const std::string& shown_path, Config& config);

} // namespace hornet
