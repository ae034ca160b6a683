// Command-line layer; see cli_layer.hpp.
#include "config/cli_layer.hpp"

#include <algorithm>
#include <cctype>

#include "config/config_error.hpp"
#include "config/setting.hpp"

namespace hornet {

namespace {

// What the user typed, for the error line.
std::string display_name(const Setting& s) {
    if (s.cli != CliForm::positional) return s.long_flag();
    std::string upper(s.name);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    return upper;
}

YAML::Node as_node(const Setting& s, const std::vector<std::string>& values) {
    if (!s.codec.list) return YAML::Node(values.empty() ? std::string() : values.back());
    YAML::Node seq(YAML::NodeType::Sequence);
    for (const std::string& v : values) seq.push_back(v);
    return seq;
}

} // namespace

void apply_cli(const CliLayer& cli, Config& config) {
    for (const CliValue& v : cli) {
        try {
            v.setting->codec.set(config, as_node(*v.setting, v.values));
        } catch (const ValueError& e) {
            throw ConfigError(display_name(*v.setting) + ": " + e.what());
        }
    }
}

} // namespace hornet
