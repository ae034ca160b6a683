// hornet ctl's human output: a successful reply's result as a person reads
// it (`--json` prints the reply itself instead). A command this file does
// not know (one added to the arbiter later) still prints, as "key: value"
// lines. Called by ctl_command.cpp only.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include <boost/json/object.hpp>

namespace hornet {

void render_result(std::ostream& out, const std::string& command, const boost::json::object& result);

// "850ms", "12.3s", "4m 05s", "2h 05m", "3d 04h"
std::string duration_text(std::int64_t ms);
// "12.3 MiB"
std::string bytes_text(std::uint64_t bytes);

} // namespace hornet
