// Codec builders; see setting_codecs.hpp.
#include "config/setting_codecs.hpp"

#include <algorithm>
#include <cctype>

#include "config/config_error.hpp"
#include "config/suggest.hpp"
#include "hornet/support/http_syntax.hpp"

namespace hornet {

namespace {

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return out;
}

std::string join(const std::vector<std::string_view>& words) {
    std::string out;
    for (std::string_view w : words) out += (out.empty() ? "" : ", ") + std::string(w);
    return out;
}

// Appends the pieces of one list element, checking each.
void add_entries(std::vector<std::string>& out, const YAML::Node& element, char separator,
                 const EntryParser& entry) {
    std::string text = scalar_text(element);
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = std::min(text.find(separator, start), text.size());
        std::string_view piece = std::string_view(text).substr(start, end - start);
        start = end + 1;
        if (piece.empty()) continue;
        try {
            out.push_back(entry(piece));
        } catch (const ValueError& e) {
            // Point at the element in the file, not at the whole list.
            throw ValueError(e.what(), element.Mark());
        }
    }
}

std::vector<std::string> parse_list(const YAML::Node& n, char separator, const EntryParser& entry) {
    std::vector<std::string> out;
    if (!n.IsSequence()) {
        add_entries(out, n, separator, entry);
        return out;
    }
    for (const YAML::Node& element : n) add_entries(out, element, separator, entry);
    return out;
}

} // namespace

std::string scalar_text(const YAML::Node& node) {
    if (node.IsScalar()) return node.Scalar();
    if (node.IsSequence()) throw ValueError("expected a single value, got a list");
    if (node.IsMap()) throw ValueError("expected a single value, got a map");
    throw ValueError("missing value; remove the setting to keep the default");
}

std::uint64_t parse_size_in(std::string_view text, std::uint64_t lo, std::uint64_t hi, bool unlimited) {
    if (unlimited && lowercase(text) == "unlimited") return std::numeric_limits<std::uint64_t>::max();
    std::uint64_t bytes = parse_size(text);
    if (bytes >= lo && bytes <= hi) return bytes;
    throw ValueError("expected a size from " + format_size(lo) + " to " + format_size(hi) + ", got '" +
                     std::string(text) + "'");
}

std::string format_size_or_unlimited(std::uint64_t bytes, bool unlimited) {
    if (unlimited && bytes == std::numeric_limits<std::uint64_t>::max()) return "unlimited";
    return format_size(bytes);
}

Codec duration_field(Millis Config::*field) {
    return {"DURATION", false,
            [=](Config& c, const YAML::Node& n) { c.*field = parse_duration(scalar_text(n)); },
            [=](const Config& c) { return YAML::Node(format_duration(c.*field)); }};
}

Codec duration_field(Millis Config::*field, Millis max) {
    return {"DURATION", false,
            [=](Config& c, const YAML::Node& n) {
                const std::string text = scalar_text(n);
                const Millis value = parse_duration(text);
                if (value > max)
                    throw ValueError("expected a duration of at most " + format_duration(max) + ", got '" + text + "'");
                c.*field = value;
            },
            [=](const Config& c) { return YAML::Node(format_duration(c.*field)); }};
}

Codec workers_field(unsigned Config::*field) {
    return {"INT|auto", false,
            [=](Config& c, const YAML::Node& n) {
                std::string text = scalar_text(n);
                if (lowercase(text) == "auto") {
                    c.*field = 0;
                    return;
                }
                try {
                    c.*field = static_cast<unsigned>(parse_uint(text, 1, 1024));
                } catch (const ValueError&) {
                    throw ValueError("expected an integer from 1 to 1024 or auto, got '" + text + "'");
                }
            },
            [=](const Config& c) { return YAML::Node(c.*field == 0 ? std::string("auto") : std::to_string(c.*field)); }};
}

Codec string_field(std::string Config::*field, std::string_view type_name, bool allow_empty) {
    return {type_name, false,
            [=](Config& c, const YAML::Node& n) {
                std::string text = scalar_text(n);
                if (text.empty() && !allow_empty) throw ValueError("must not be empty");
                c.*field = std::move(text);
            },
            [=](const Config& c) { return YAML::Node(c.*field); }};
}

Codec bool_field(bool Config::*field) {
    return {"", false, [=](Config& c, const YAML::Node& n) { c.*field = parse_bool(scalar_text(n)); },
            [=](const Config& c) { return YAML::Node(c.*field ? "true" : "false"); }, true};
}

Codec octal_field(unsigned Config::*field) {
    return {"MODE", false, [=](Config& c, const YAML::Node& n) { c.*field = parse_octal_mode(scalar_text(n)); },
            [=](const Config& c) { return YAML::Node(format_octal_mode(c.*field)); }};
}

Codec choice_field(std::string Config::*field, std::string_view type_name,
                   std::vector<std::string_view> choices) {
    return {type_name, false,
            [=](Config& c, const YAML::Node& n) {
                std::string text = scalar_text(n);
                auto hit = std::find(choices.begin(), choices.end(), lowercase(text));
                if (hit != choices.end()) {
                    c.*field = std::string(*hit);
                    return;
                }
                throw ValueError("expected one of " + join(choices) + ", got '" + text + "'" +
                                 did_you_mean(text, choices));
            },
            [=](const Config& c) { return YAML::Node(c.*field); }};
}

Codec map_field(YAML::Node Config::*field) {
    return {"MAP", false,
            [=](Config& c, const YAML::Node& n) {
                if (n.IsNull()) {
                    c.*field = YAML::Node(YAML::NodeType::Map);
                    return;
                }
                if (!n.IsMap()) throw ValueError("expected a map of settings for the app");
                // Clone: a YAML::Node copy would share the file's document.
                c.*field = YAML::Clone(n);
            },
            [=](const Config& c) { return YAML::Clone(c.*field); }};
}

namespace {

// "db.host=x" -> app_config[db][host] = "x", making the maps on the way.
void set_entry(YAML::Node& root, const std::string& entry) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0)
        throw ValueError("expected a map of settings for the app, or KEY=VALUE (e.g. module=myapp:app), got '" +
                         entry + "'");
    std::string key = entry.substr(0, eq);
    YAML::Node node = root;
    for (std::size_t dot; (dot = key.find('.')) != std::string::npos; key.erase(0, dot + 1)) {
        const std::string part = key.substr(0, dot);
        if (part.empty()) throw ValueError("key '" + entry.substr(0, eq) + "' has an empty part");
        if (!node[part].IsMap()) node[part] = YAML::Node(YAML::NodeType::Map);
        node.reset(node[part]); // rebind; operator= would overwrite the map with its child
    }
    if (key.empty()) throw ValueError("key '" + entry.substr(0, eq) + "' has an empty part");
    node[key] = entry.substr(eq + 1);
}

} // namespace

Codec app_config_field(YAML::Node Config::*field) {
    Codec codec = map_field(field);
    codec.type_name = "KEY=VALUE";
    codec.list = true;
    codec.set = [=](Config& c, const YAML::Node& n) {
        if (n.IsNull() || n.IsMap()) {
            c.*field = n.IsNull() ? YAML::Node(YAML::NodeType::Map) : YAML::Clone(n);
            return;
        }
        // KEY=VALUE entries (the CLI's --app-config) change the map one key at a time.
        YAML::Node merged = YAML::Clone(c.*field);
        if (n.IsScalar()) set_entry(merged, n.Scalar());
        else
            for (const YAML::Node& e : n) set_entry(merged, scalar_text(e));
        c.*field = merged;
    };
    return codec;
}

Codec checked_string_field(std::string Config::*field, std::string_view type_name,
                           std::function<void(std::string_view)> check) {
    return {type_name, false,
            [=](Config& c, const YAML::Node& n) {
                std::string text = scalar_text(n);
                check(text);
                c.*field = std::move(text);
            },
            [=](const Config& c) { return YAML::Node(c.*field); }};
}

namespace {

bool is_printable(std::string_view s) {
    for (char ch : s)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return false;
    return !s.empty();
}

} // namespace

Codec header_map_field(std::vector<std::pair<std::string, std::string>> Config::*field) {
    return {"MAP", false,
            [=](Config& c, const YAML::Node& n) {
                std::vector<std::pair<std::string, std::string>> out;
                if (!n.IsNull() && !n.IsMap()) throw ValueError("expected a map of header name: value");
                for (const auto& kv : n) {
                    std::string name = scalar_text(kv.first), value = scalar_text(kv.second);
                    if (!support::is_token(name)) throw ValueError("'" + name + "' is not a header name", kv.first.Mark());
                    if (!is_printable(value))
                        throw ValueError("header " + name + ": expected a printable value", kv.second.Mark());
                    out.emplace_back(std::move(name), std::move(value));
                }
                c.*field = std::move(out);
            },
            [=](const Config& c) {
                YAML::Node map(YAML::NodeType::Map);
                for (const auto& [name, value] : c.*field) map[name] = value;
                return map;
            }};
}

Codec list_field(std::vector<std::string> Config::*field, std::string_view type_name, char separator,
                 std::size_t min_entries, EntryParser entry) {
    return {type_name, true,
            [=](Config& c, const YAML::Node& n) {
                if (n.IsMap()) throw ValueError("expected a list or a single value, got a map");
                std::vector<std::string> list = n.IsNull() ? std::vector<std::string>{}
                                                           : parse_list(n, separator, entry);
                if (list.size() < min_entries) throw ValueError("needs at least one entry");
                c.*field = std::move(list);
            },
            [=](const Config& c) {
                YAML::Node seq(YAML::NodeType::Sequence);
                for (const std::string& e : c.*field) seq.push_back(e);
                return seq;
            }};
}

} // namespace hornet
