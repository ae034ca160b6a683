// Access-log records and the clocks they use.
#include "hornet/sdk/access_record.hpp"

#include <ctime>

namespace hornet::sdk {
namespace {

int64_t read_clock_us(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

hornet_str_t str(std::string_view s) { return {s.data(), s.size()}; }

} // namespace

int64_t wall_clock_us() { return read_clock_us(CLOCK_REALTIME); }
int64_t monotonic_us() { return read_clock_us(CLOCK_MONOTONIC); }

bool host_observes(const hornet_worker_ctx_t* ctx) {
    return ctx && HORNET_HAS(ctx, hornet_worker_ctx_t, exchange_end) && ctx->exchange_begin && ctx->exchange_end;
}

bool host_wants_records(const hornet_worker_ctx_t* ctx) {
    return host_observes(ctx) || (ctx && ctx->access_log_enabled && ctx->access_log);
}

void report_exchange_end(const hornet_worker_ctx_t* ctx, const AccessEntry& entry) {
    if (!host_wants_records(ctx)) return;
    hornet_access_record_t record{};
    record.head = HORNET_HEAD_INIT(hornet_access_record_t);
    record.request = entry.request;
    record.request_line = str(entry.request_line);
    record.peer_host = str(entry.peer_host);
    record.status = entry.status;
    record.body_bytes = entry.body_bytes;
    record.response_headers = entry.response_headers.data();
    record.response_header_count = entry.response_headers.size();
    record.start_unix_us = entry.start_unix_us;
    record.duration_us = entry.duration_us;
    record.queued_us = entry.queued_us;
    record.request_bytes = entry.request_bytes;
    if (host_observes(ctx)) return ctx->exchange_end(ctx, &record);
    ctx->access_log(ctx, &record);
}

} // namespace hornet::sdk
