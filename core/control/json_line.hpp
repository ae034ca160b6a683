// One JSON value per line, the control socket's framing (docs/control.md),
// on Boost.JSON's value type.
//
// Writing goes through log/json_text's append_json_string, so a reply that
// carries client bytes (a request path, a config value) is valid UTF-8 and
// can never hold a raw newline that would end the line early. Reading is
// Boost.JSON's parser, which refuses what is not UTF-8. Used by the control
// server (core/control) and by `hornet ctl` (core/cli); any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace hornet {

// `value` as one line of JSON, without the trailing newline.
std::string to_json_line(const boost::json::value& value);

// The value in `line`, or nullopt with `error` set to why not.
std::optional<boost::json::value> parse_json_line(std::string_view line, std::string& error);

} // namespace hornet
