// Logging through the host table; stderr when there is no host (tests).
#include "hornet/support/log.hpp"

#include <cstdarg>
#include <cstdio>

namespace hornet::support {

void log_line(const hornet_host_t* host, int level, std::string_view msg) {
    if (host && host->log) {
        host->log(host, level, hornet_str_t{msg.data(), msg.size()});
        return;
    }
    std::fprintf(stderr, "[hornet:%d] %.*s\n", level, static_cast<int>(msg.size()), msg.data());
}

void logf(const hornet_host_t* host, int level, const char* fmt, ...) {
    char line[1024];
    va_list args;
    va_start(args, fmt);
    int n = std::vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    if (n < 0) return;
    size_t len = static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1;
    log_line(host, level, std::string_view(line, len));
}

} // namespace hornet::support
