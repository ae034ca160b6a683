// hornet/sdk/access_record.hpp: hand one answered request to the access log.
//
// Builds the hornet_access_record_t (views only, valid during the call) and
// calls ctx->access_log when ctx->access_log_enabled. Any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "hornet/worker.h"

namespace hornet::sdk {

struct AccessEntry {
    const hornet_request_t* request = nullptr; // null: the head did not parse
    std::string_view request_line;
    std::string_view peer_host;
    int status = 0;
    uint64_t body_bytes = 0;
    std::span<const hornet_header_t> response_headers;
    int64_t start_unix_us = 0;
    int64_t duration_us = 0;
};

void log_access(const hornet_worker_ctx_t* ctx, const AccessEntry& entry);

// Clocks for start_unix_us / duration_us.
int64_t wall_clock_us();
int64_t monotonic_us();

} // namespace hornet::sdk
