// Codec builders: one per value type, used by the rows of settings.cpp.
//
// Each builder binds a Config member and the type's rules (bounds, units,
// choices, list separator) into a Codec. The parsing itself lives in units.cpp
// and bind_address.cpp; this file only adapts YAML nodes to them.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/setting.hpp"
#include "config/units.hpp"

namespace hornet {

// The text of a scalar node; ValueError for a null, list or map.
std::string scalar_text(const YAML::Node& node);

// parse_size within [lo, hi]; "unlimited" -> UINT64_MAX when allowed.
std::uint64_t parse_size_in(std::string_view text, std::uint64_t lo, std::uint64_t hi, bool unlimited);
std::string format_size_or_unlimited(std::uint64_t bytes, bool unlimited);

template <class T>
Codec uint_field(T Config::*field, std::uint64_t lo, std::uint64_t hi) {
    return {"INT", false,
            [=](Config& c, const YAML::Node& n) { c.*field = static_cast<T>(parse_uint(scalar_text(n), lo, hi)); },
            [=](const Config& c) { return YAML::Node(std::to_string(c.*field)); }};
}

template <class T>
Codec size_field(T Config::*field, std::uint64_t lo, std::uint64_t hi, bool unlimited = false) {
    return {"SIZE", false,
            [=](Config& c, const YAML::Node& n) {
                c.*field = static_cast<T>(parse_size_in(scalar_text(n), lo, hi, unlimited));
            },
            [=](const Config& c) { return YAML::Node(format_size_or_unlimited(c.*field, unlimited)); }};
}

Codec duration_field(Millis Config::*field);
// A duration of at most `max`.
Codec duration_field(Millis Config::*field, Millis max);
// A worker count, 1..1024, or "auto" (stored as 0; resolve_workers decides).
Codec workers_field(unsigned Config::*field);
// A switch: on the command line a flag without a value.
Codec bool_field(bool Config::*field);
Codec octal_field(unsigned Config::*field);
Codec string_field(std::string Config::*field, std::string_view type_name, bool allow_empty);
// A string that `check` accepts (it throws ValueError saying why not).
Codec checked_string_field(std::string Config::*field, std::string_view type_name,
                           std::function<void(std::string_view)> check);
// A YAML map of header name -> value (names are tokens, values printable);
// null means none. In file order.
Codec header_map_field(std::vector<std::pair<std::string, std::string>> Config::*field);
// Case-blind match; stores the canonical spelling.
Codec choice_field(std::string Config::*field, std::string_view type_name,
                   std::vector<std::string_view> choices);
// Any YAML map, kept as is (a deep copy); null means empty.
Codec map_field(YAML::Node Config::*field);
// As map_field for a map; KEY=VALUE entries (one, or a list: the CLI's
// repeated --app-config) set one key each in the map already there, a
// dotted KEY ("db.host") reaching into nested maps.
Codec app_config_field(YAML::Node Config::*field);

// Each entry is checked and normalized by `entry` (which throws ValueError).
// A scalar, and each element of a sequence, is split on `separator` so
// "a:b" and [a, b] mean the same in every source; empty pieces are skipped.
using EntryParser = std::function<std::string(std::string_view)>;
Codec list_field(std::vector<std::string> Config::*field, std::string_view type_name, char separator,
                 std::size_t min_entries, EntryParser entry);

} // namespace hornet
