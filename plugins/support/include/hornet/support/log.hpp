// hornet/support/log.hpp: one-line logging through the host's log service.
//
// Worker types and the SDK log through ctx->host->log so lines land in
// hornet's error log. Callable from any thread. A null host (unit tests,
// tools) writes to stderr instead, so callers never need to check.
#pragma once

#include <string_view>

#include "hornet/host.h"

namespace hornet::support {

// One line, copied by the host before returning.
void log_line(const hornet_host_t* host, int level, std::string_view msg);

// printf-style; the line is truncated to 1 KiB (a log line, not a dump).
void logf(const hornet_host_t* host, int level, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

} // namespace hornet::support
