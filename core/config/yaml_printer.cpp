// Config printer; see yaml_printer.hpp.
#include "config/yaml_printer.hpp"

#include <yaml-cpp/yaml.h>

#include "config/config_loader.hpp"
#include "config/setting.hpp"

namespace hornet {

std::string to_yaml(const Config& config) {
    Config resolved = config;
    resolve_workers(resolved);
    YAML::Emitter out;
    out << YAML::Comment("hornet effective configuration; load it back with hornet -c FILE");
    out << YAML::BeginMap;
    for (const Setting& s : settings()) {
        // An automatic worker count stays "auto" (it means the same on the
        // next machine); the comment gives this machine's number and why.
        const bool auto_workers = s.name == "workers" && !resolved.workers_rule.empty();
        YAML::Node value = auto_workers ? YAML::Node("auto") : s.codec.get(resolved);
        out << YAML::Key << std::string(s.name) << YAML::Value;
        // "plugin_path: []" reads better than an indented [] on a line of its own.
        // Others say Block: a flow-style node read back from a file (app_config: {})
        // would otherwise leave the emitter in flow style for the settings after it.
        if (value.size() == 0 && !value.IsScalar()) out << YAML::Flow;
        else if (!value.IsScalar()) out << YAML::Block;
        out << value;
        if (auto_workers) out << YAML::Comment(resolved.workers_rule);
    }
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

} // namespace hornet
