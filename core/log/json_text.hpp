// JSON text for the logs (access log and error log in log_format: json):
// strings from any bytes, and timestamps, appended to a line being built.
//
// Strings follow RFC 8259 with one rule for every byte, so that no input can
// end a line, close a string early or add a key:
//   '"' -> \"   and   '\' -> \\ (backslash, backslash)
//   control bytes (0x00-0x1f) and DEL (0x7f)  ->  \u00XX (lower-case hex)
//   U+2028, U+2029 (line breaks to JavaScript)  ->  \u2028, \u2029
//   well-formed UTF-8  ->  as is
//   bytes that are not well-formed UTF-8  ->  \ufffd, one per maximal
//     ill-formed subpart (Unicode's "substitution of maximal subparts", the
//     rule of Python's bytes.decode("utf-8", "replace") and WHATWG)
// So the output is valid UTF-8 and a JSON parser reads back exactly the
// input decoded with replacement.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hornet {

// Appends `bytes` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view bytes);

// Appends the wall-clock time unix_us, in local time, as a quoted RFC 3339
// string with microseconds: "2026-11-27T10:00:00.000000+01:00".
void append_json_time(std::string& out, std::int64_t unix_us);

} // namespace hornet
