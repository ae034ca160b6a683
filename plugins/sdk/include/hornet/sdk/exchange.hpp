// hornet/sdk/exchange.hpp: the C++ side of hornet_exchange_t.
//
// A worker type implements Exchange (one object per request) and hands apps
// exchange_ops(): a single C table whose shims turn the opaque handle back
// into the Exchange, call the virtual, and turn any exception into a
// HORNET_E* code plus a log line. So every worker type shares the ABI glue
// and only writes the I/O. Thread tags are those of hornet/app.h.
#pragma once

#include <cstddef>
#include <string_view>

#include "hornet/app.h"

namespace hornet::sdk {

class Exchange {
public:
    virtual ~Exchange() = default;

    virtual const hornet_request_t* request() = 0;
    virtual ptrdiff_t read(void* buf, size_t cap) = 0;
    virtual int read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) = 0;
    virtual int start(int status, const hornet_header_t* headers, size_t count) = 0;
    virtual int write(const void* data, size_t len) = 0;
    virtual int write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) = 0;
    virtual int sendfile(int fd, uint64_t offset, uint64_t len) = 0;
    virtual int finish(int error) = 0;

    // The extensions of hornet/ext.h, for worker types that offer them (an
    // event loop's timer and post); the others never hand the tables out.
    virtual int timer_start(uint64_t /*ms*/, hornet_done_fn /*done*/, void* /*user_data*/) { return HORNET_EINVAL; }
    virtual int post(hornet_done_fn /*fn*/, void* /*user_data*/) { return HORNET_EINVAL; }

    // Where the shims log an exception.
    virtual const hornet_host_t* host() const = 0;

    hornet_exchange_t* handle() { return reinterpret_cast<hornet_exchange_t*>(this); }
    static Exchange* from(hornet_exchange_t* x) { return reinterpret_cast<Exchange*>(x); }
};

// The one ops table for every Exchange; static storage.
const hornet_exchange_ops_t* exchange_ops();

} // namespace hornet::sdk
