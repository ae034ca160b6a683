// log_format: json — the error log as one JSON object per line, for log
// shippers:
//   {"time":"2026-11-27T10:00:00.123456+00:00","level":"info","pid":1234,"message":"Listening at: ..."}
// level is the log_level spelling (debug, info, warning, error, critical);
// pid is read per line, so lines written after fork carry the worker's; the
// message is escaped as json_text.hpp says, so any text (a config error
// quoting the user's YAML, an app's name, a path) stays one valid object.
#pragma once

#include <memory>

#include <spdlog/formatter.h>

namespace hornet {

class JsonLogFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLogFormatter>(); }
};

} // namespace hornet
