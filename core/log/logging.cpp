#include "log/logging.hpp"

#include <algorithm>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "log/fd_sink.hpp"
#include "log/json_log_formatter.hpp"
#include "log/log_files.hpp"
#include "metrics/log_counts.hpp"

namespace hornet {
namespace {

// %* : the level as Gunicorn writes it (INFO, WARNING, ...).
class UpperLevelFlag : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        static constexpr const char* names[] = {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "OFF"};
        std::string_view name = names[msg.level];
        dest.append(name.data(), name.data() + name.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<UpperLevelFlag>();
    }
};

spdlog::level::level_enum parse_level(const std::string& level) {
    if (level == "warning") return spdlog::level::warn;
    if (level == "critical") return spdlog::level::critical;
    return spdlog::level::from_str(level);
}

spdlog::sink_ptr make_sink(const std::string& target) {
    if (target.empty() || target == "-") return std::make_shared<FdSink>(STDERR_FILENO);
    try {
        return std::make_shared<FdSink>(open_log_file(target));
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("error_logfile ") + e.what());
    }
}

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& format) {
    if (format == "json") return std::make_unique<JsonLogFormatter>();
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<UpperLevelFlag>('*').set_pattern("[%Y-%m-%d %H:%M:%S %z] [%P] [%*] %v");
    return formatter;
}

} // namespace

void setup_logging(const std::string& error_logfile, const std::string& level, const std::string& format) {
    auto logger = std::make_shared<spdlog::logger>("hornet", make_sink(error_logfile));
    if (auto counting = metrics::log_counting_sink()) logger->sinks().push_back(std::move(counting));
    logger->set_formatter(make_formatter(format));
    logger->set_level(parse_level(level));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

} // namespace hornet
