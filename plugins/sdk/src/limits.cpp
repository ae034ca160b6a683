// Reading hornet_limits_t once, with the fallbacks for "none".
#include "hornet/sdk/limits.hpp"

#include <algorithm>

namespace hornet::sdk {
namespace {

uint32_t either(uint32_t first, uint32_t second, uint32_t fallback) {
    if (first != 0) return first;
    return second != 0 ? second : fallback;
}

} // namespace

ParserLimits ParserLimits::from(const hornet_limits_t* limits) {
    ParserLimits out;
    if (!limits) return out;
    out.request_line = limits->limit_request_line;
    out.fields = limits->limit_request_fields;
    out.field_size = limits->limit_request_field_size;
    out.body = limits->limit_request_body;
    if (HORNET_HAS(limits, hornet_limits_t, max_discard)) out.discard = limits->max_discard;
    return out;
}

Timeouts Timeouts::from(const hornet_limits_t* limits) {
    Timeouts out;
    if (!limits) return out;
    const uint32_t timeout = limits->timeout_ms;
    out.head_ms = either(limits->header_timeout_ms, timeout, out.head_ms);
    out.body_ms = either(limits->body_timeout_ms, timeout, out.body_ms);
    out.write_ms = either(timeout, 0, out.write_ms);
    out.keepalive_ms = either(limits->keepalive_ms, 0, out.keepalive_ms);
    out.keep_alive = limits->keepalive_ms != 0;
    // Beat twice per timeout; never busier than every 10 ms.
    out.beat_ms = timeout != 0 ? std::max<uint32_t>(timeout / 2, 10) : out.beat_ms;
    return out;
}

} // namespace hornet::sdk
