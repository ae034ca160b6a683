// The error log: spdlog's default logger, set up once per process.
//
// Lines look like Gunicorn's, so its users' log tooling keeps working:
//   [2026-11-27 10:00:00 +0000] [1234] [INFO] Listening at: http://...
// The pid is read per line, so lines written after fork carry the worker's.
// log_format: json writes one JSON object per line instead
// (json_log_formatter.hpp).
// Arbiter before fork; workers inherit the configured logger.
#pragma once

#include <string>

namespace hornet {

// Throws std::runtime_error naming the file when it cannot be opened.
// format: "text" (the lines above) or "json".
void setup_logging(const std::string& error_logfile, const std::string& level, const std::string& format = "text");

} // namespace hornet
