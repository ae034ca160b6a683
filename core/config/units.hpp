// Parsing and printing of typed scalar values: bounded integers, durations
// and byte sizes.
//
// Called by the setting codecs (setting_codecs.hpp) for every source alike, so
// "30s" means the same in the YAML file, HORNET_TIMEOUT and --timeout. Parsers
// throw ValueError with a message that names the accepted forms; formatters
// produce text the parsers accept back (print-config round-trips).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace hornet {

// Decimal digits only (no sign, no 0x), within [lo, hi].
std::uint64_t parse_uint(std::string_view text, std::uint64_t lo, std::uint64_t hi);

// true/false, yes/no, on/off, 1/0 (case-blind).
bool parse_bool(std::string_view text);

// An octal file mode such as "022", "0o022" or "0022", at most 0777.
unsigned parse_octal_mode(std::string_view text);
std::string format_octal_mode(unsigned mode);

// "500ms", "30s", "2m", "1h"; a bare integer is seconds (Gunicorn's unit).
std::chrono::milliseconds parse_duration(std::string_view text);

// The largest unit that is exact: 30000ms -> "30s", 1500ms -> "1500ms".
std::string format_duration(std::chrono::milliseconds d);

// "64KiB", "1MiB", "1GiB" (powers of 1024), "10KB" (powers of 1000), "123B";
// a bare integer is bytes. Units are case-blind. No "unlimited" here: the
// codec of a setting that allows it handles that word.
std::uint64_t parse_size(std::string_view text);

// Exact binary unit if any ("1GiB"), else exact decimal ("10KB"), else bytes ("4094").
std::string format_size(std::uint64_t bytes);

} // namespace hornet
