// hornet/sdk/limits.hpp: the worker context's limits, read once, with the
// defaults a worker type applies where the config says "none" (0).
//
// Worker types build these when run() starts and pass them to the parser and
// the connection code. For SDK and worker-type authors.
#pragma once

#include <cstdint>

#include "hornet/worker.h"

namespace hornet::sdk {

// What the request parser enforces. 0 means unlimited for the three header
// limits (Gunicorn's meaning); UINT64_MAX means an unlimited body.
struct ParserLimits {
    uint32_t request_line = 4094;       // -> 414
    uint32_t fields = 100;              // -> 431
    uint32_t field_size = 8190;         // -> 431
    uint64_t body = UINT64_MAX;         // -> 413
    // Not the parser's: how much of a body the app left unread an exchange
    // reads and drops to keep the connection (max_discard).
    uint64_t discard = uint64_t{4} << 20;

    static ParserLimits from(const hornet_limits_t* limits);
};

// Milliseconds; never 0 (0 in the config falls back as documented), except
// that keepalive 0 turns keep-alive off, as in Gunicorn.
struct Timeouts {
    uint32_t head_ms = 30000;      // whole request head: header_timeout, else timeout
    uint32_t body_ms = 30000;      // between body reads: body_timeout, else timeout
    uint32_t write_ms = 30000;     // a stalled client reader: timeout
    uint32_t keepalive_ms = 2000;  // idle between requests on a kept connection
    uint32_t beat_ms = 1000;       // heartbeat period: timeout / 2
    bool keep_alive = true;        // false: every response closes its connection

    static Timeouts from(const hornet_limits_t* limits);
};

} // namespace hornet::sdk
