// hornet/sdk/access_record.hpp: tell the host that a request ended.
//
// Builds the hornet_access_record_t (views only, valid during the call) and
// hands it to ctx->exchange_end (an ABI 1.3 host, which logs and counts it),
// or else to ctx->access_log when ctx->access_log_enabled. Any thread.
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
    int64_t queued_us = -1;
    uint64_t request_bytes = 0;
};

void report_exchange_end(const hornet_worker_ctx_t* ctx, const AccessEntry& entry);

// Whether the host takes exchange_begin/exchange_end (ABI 1.3), and so
// wants a record for every request.
bool host_observes(const hornet_worker_ctx_t* ctx);
// Whether report_exchange_end() would hand the record to anyone.
bool host_wants_records(const hornet_worker_ctx_t* ctx);

// Clocks for start_unix_us / duration_us.
int64_t wall_clock_us();
int64_t monotonic_us();

} // namespace hornet::sdk
