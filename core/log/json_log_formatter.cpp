// The error log's JSON lines (spdlog formatter).
#include "log/json_log_formatter.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <unistd.h>

#include <spdlog/details/log_msg.h>

#include "log/json_text.hpp"

namespace hornet {

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    static constexpr const char* kLevels[] = {"trace", "debug", "info", "warning", "error", "critical", "off"};
    const auto unix_us =
        std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
    std::string line;
    line.reserve(96 + msg.payload.size());
    line += "{\"time\":";
    append_json_time(line, unix_us);
    line.append(",\"level\":\"").append(kLevels[msg.level]).append("\",\"pid\":");
    line += std::to_string(::getpid());
    line += ",\"message\":";
    append_json_string(line, std::string_view(msg.payload.data(), msg.payload.size()));
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
}

} // namespace hornet
