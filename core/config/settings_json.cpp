// The settings as JSON; see settings_json.hpp.
#include "config/settings_json.hpp"

#include <charconv>

#include "config/setting.hpp"
#include "config/units.hpp"
#include "log/json_text.hpp"

namespace hornet {
namespace {

void append_node(std::string& out, const YAML::Node& node);

void append_seconds(std::string& out, std::string_view text) {
    const long long ms = parse_duration(text).count();
    if (ms % 1000 == 0) out += std::to_string(ms / 1000);
    else out += std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
}

bool is_integer(std::string_view text) {
    long long v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

void append_scalar(std::string& out, const std::string& text) {
    if (is_integer(text)) out += text;
    else if (text == "true" || text == "false") out += text;
    else append_json_string(out, text);
}

void append_node(std::string& out, const YAML::Node& node) {
    if (node.IsScalar()) return append_scalar(out, node.Scalar());
    if (node.IsSequence()) {
        out += '[';
        for (std::size_t i = 0; i < node.size(); ++i) {
            if (i) out += ',';
            append_node(out, node[i]);
        }
        out += ']';
        return;
    }
    if (!node.IsMap()) {
        out += "null";
        return;
    }
    out += '{';
    bool first = true;
    for (const auto& kv : node) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, kv.first.Scalar());
        out += ':';
        append_node(out, kv.second);
    }
    out += '}';
}

void append_value(std::string& out, const Setting& s, const Config& config) {
    const YAML::Node value = s.codec.get(config);
    if (s.codec.type_name == "DURATION" && value.IsScalar()) return append_seconds(out, value.Scalar());
    // Text settings stay text even when they look like a number ("proc_name: 2").
    const bool text = !s.codec.list && !s.codec.flag && s.codec.type_name != "INT" && s.codec.type_name != "INT|auto";
    if (text && value.IsScalar()) return append_json_string(out, value.Scalar());
    append_node(out, value);
}

} // namespace

std::string settings_json(const Config& config) {
    std::string out = "{";
    for (const Setting& s : settings()) {
        std::string value;
        append_value(value, s, config);
        append_json_string(out.size() > 1 ? (out += ',', out) : out, s.name);
        out += ':' + value;
        for (std::string_view alias : s.aliases) {
            out += ',';
            append_json_string(out, alias);
            out += ':' + value;
        }
    }
    return out + "}";
}

} // namespace hornet
