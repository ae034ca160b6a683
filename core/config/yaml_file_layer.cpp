// YAML file layer; see yaml_file_layer.hpp.
#include "config/yaml_file_layer.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include <yaml-cpp/yaml.h>

#include "config/config_error.hpp"
#include "config/setting.hpp"
#include "config/suggest.hpp"

namespace hornet {

namespace {

// yaml-cpp counts from 0; editors and compilers count from 1.
std::string where(const std::string& path, const YAML::Mark& mark) {
    if (mark.is_null()) return path + ": ";
    return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

YAML::Node read_document(const std::string& path, const std::string& shown_path) {
    std::ifstream in(path);
    if (!in) throw ConfigError(shown_path + ": cannot read config file: " + std::strerror(errno));
    try {
        return YAML::Load(in);
    } catch (const YAML::Exception& e) {
        throw ConfigError(where(shown_path, e.mark) + "YAML syntax error: " + e.msg);
    }
}

const Setting& known_setting(const YAML::Node& key, const std::string& shown_path) {
    if (!key.IsScalar()) throw ConfigError(where(shown_path, key.Mark()) + "setting names must be plain words");
    if (const Setting* s = find_setting(key.Scalar())) return *s;
    std::vector<std::string_view> names = setting_names();
    throw ConfigError(where(shown_path, key.Mark()) + "key '" + key.Scalar() + "': unknown setting" +
                      did_you_mean(key.Scalar(), names));
}

void apply_value(const Setting& s, const YAML::Node& key, const YAML::Node& value, const std::string& shown_path,
                 Config& config) {
    try {
        s.codec.set(config, value);
    } catch (const ValueError& e) {
        // An empty value has no position of its own (yaml-cpp marks the next token).
        YAML::Mark at = e.mark.value_or(value.IsNull() ? key.Mark() : value.Mark());
        throw ConfigError(where(shown_path, at) + "'" + std::string(s.name) + "': " + e.what());
    }
}

} // namespace

void apply_yaml_file(const std::string& path, const std::string& shown_path, Config& config) {
    apply_settings_document(read_document(path, shown_path), shown_path, config);
}

void apply_settings_document(const YAML::Node& root, const std::string& shown_path, Config& config) {
    if (root.IsNull()) return; // an empty file sets nothing
    if (!root.IsMap())
        throw ConfigError(where(shown_path, root.Mark()) + "expected a map of settings (name: value) at the top");
    // Canonical name -> first line, to catch a setting given twice (maybe once by alias).
    std::map<std::string_view, int> seen;
    for (const auto& item : root) {
        const Setting& s = known_setting(item.first, shown_path);
        auto [it, fresh] = seen.emplace(s.name, item.first.Mark().line + 1);
        if (!fresh)
            throw ConfigError(where(shown_path, item.first.Mark()) + "key '" + item.first.Scalar() + "': '" +
                              std::string(s.name) + "' is already set on line " + std::to_string(it->second));
        apply_value(s, item.first, item.second, shown_path, config);
    }
}

} // namespace hornet
