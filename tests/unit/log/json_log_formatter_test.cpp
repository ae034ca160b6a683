// tests/unit/log/json_log_formatter_test.cpp: log_format: json
// (core/log/json_log_formatter.hpp): one object per line with time, level,
// pid and message, whatever the message holds.
#include <gtest/gtest.h>

#include <string>
#include <unistd.h>

#include <spdlog/details/log_msg.h>

#include "log/json_log_formatter.hpp"

namespace hornet {
namespace {

std::string formatted(spdlog::level::level_enum level, std::string_view message) {
    const spdlog::details::log_msg msg("hornet", level, spdlog::string_view_t(message.data(), message.size()));
    spdlog::memory_buf_t buf;
    JsonLogFormatter().format(msg, buf);
    return std::string(buf.data(), buf.size());
}

} // namespace

TEST(JsonLogFormatter, OneObjectPerLine) {
    const std::string line = formatted(spdlog::level::warn, "Worker timeout");
    ASSERT_GT(line.size(), 44u);
    EXPECT_EQ(line.substr(0, 9), R"({"time":")");
    const std::string rest = line.substr(42);
    EXPECT_EQ(rest, R"(,"level":"warning","pid":)" + std::to_string(::getpid()) + R"(,"message":"Worker timeout"})" "\n");
}

TEST(JsonLogFormatter, LevelsUseLogLevelSpelling) {
    for (auto [level, name] : {std::pair{spdlog::level::debug, "debug"}, {spdlog::level::info, "info"},
                               {spdlog::level::warn, "warning"}, {spdlog::level::err, "error"},
                               {spdlog::level::critical, "critical"}})
        EXPECT_NE(formatted(level, "x").find(std::string(R"("level":")") + name + "\""), std::string::npos) << name;
}

TEST(JsonLogFormatter, AHostileMessageStaysOneObject) {
    const std::string line =
        formatted(spdlog::level::err, "hornet.yaml:3:7: app: no app 'a\"b\\c' here\n{\"level\":\"info\"}\x01\xff");
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
    const size_t message = line.find(R"("message":)");
    EXPECT_EQ(line.substr(message),
              R"("message":"hornet.yaml:3:7: app: no app 'a\"b\\c' here\u000a{\"level\":\"info\"}\u0001\ufffd"})"
              "\n");
}

} // namespace hornet
