#include "config/config_diff.hpp"

#include "config/setting.hpp"

namespace hornet {
namespace {

// One line of flow-style YAML: [a, b] and {k: v} stay short in a log line.
std::string flat(const YAML::Node& node) {
    YAML::Emitter out;
    out << YAML::Flow << node;
    return out.c_str();
}

} // namespace

std::string describe_changes(const Config& before, const Config& after) {
    std::string out;
    for (const Setting& s : settings()) {
        std::string was = flat(s.codec.get(before));
        std::string now = flat(s.codec.get(after));
        if (was == now) continue;
        if (!out.empty()) out += ", ";
        out += std::string(s.name) + ": " + was + " -> " + now;
    }
    return out;
}

} // namespace hornet
