// hornet/sdk/exchange.hpp: the C++ side of hornet_exchange_t.
//
// A worker type implements Exchange (one object per request) and hands apps
// exchange_ops(): a single C table whose shims turn the opaque handle back
// into the Exchange, call the virtual, and turn any exception into a
// HORNET_E* code plus a log line. So every worker type shares the ABI glue
// and only writes the I/O. Thread tags are those of hornet/app.h.
//
// ABI 1.4: an exchange can be upgraded (hornet.upgrade/1: upgrade() sends
// the 101, then the ops carry the raw stream) and become a WebSocket
// (hornet.websocket/1: the SDK's WebSocketChannel, which the exchange owns
// from accept() until it is destroyed or reused, drives the codec over the
// same virtual ops, so a worker type writes nothing for it but upgrade(),
// set_raw_wait() and a call to going_away() when it drains).
#pragma once

#include <cstddef>
#include <string_view>

#include "hornet/app.h"
#include "hornet/worker.h"

namespace hornet::sdk {

class WebSocketChannel;

class Exchange {
public:
    Exchange() = default;
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;
    virtual ~Exchange();

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

    // ---- ABI 1.4: upgrades ----
    // The 101 with the app's headers (ExchangeCore::upgrade), on its way
    // before the call returns. A worker type that cannot upgrade keeps this.
    virtual int upgrade(const hornet_header_t* /*headers*/, size_t /*count*/) { return HORNET_EINVAL; }
    // Upgraded reads that find no bytes wait at most timeout_ms (0: no
    // limit; then HORNET_ETIMEDOUT), and, with stop_ends_wait, a graceful
    // stop ends the wait (HORNET_ESHUTDOWN). Any thread.
    virtual void set_raw_wait(uint32_t /*timeout_ms*/, bool /*stop_ends_wait*/) {}
    // Is the caller on the loop thread that runs this exchange's callbacks
    // (where blocking ops fail)? False for thread-per-request exchanges.
    virtual bool on_loop_thread() const { return false; }
    // Runs fn(user_data, 0) later, never inside this call: on the loop, or
    // (a blocking exchange) on the handler thread among its async ops.
    virtual int defer(hornet_done_fn /*fn*/, void* /*user_data*/) { return HORNET_EINVAL; }
    // The worker's context (limits, stop mode), or null.
    virtual const hornet_worker_ctx_t* worker_ctx() const { return nullptr; }
    // [loop] The worker drains: a WebSocket sends close 1001.
    void going_away();
    // ---- ABI 1.5 ----
    // watch_peer (hornet/app.h): done(user_data, HORNET_ECLOSED) once the
    // client leaves before finish(), or (user_data, 0) at finish(). A
    // worker type that cannot watch keeps this: HORNET_EINVAL.
    virtual int watch_peer(hornet_done_fn /*done*/, void* /*user_data*/) { return HORNET_EINVAL; }
    // ---- ABI 1.6 ----
    // trailers (hornet/app.h): fields after the last chunk. The SDK's
    // exchanges hand them to ExchangeCore::trailers; a worker type of its
    // own that keeps this default refuses them (HORNET_EINVAL).
    virtual int trailers(const hornet_header_t* /*fields*/, size_t /*count*/) { return HORNET_EINVAL; }

    // The WebSocket this exchange became (accept()), or null; owned.
    WebSocketChannel* websocket() const { return websocket_; }
    void adopt_websocket(WebSocketChannel* channel);
    // A new request on a reused exchange object: the old channel goes.
    void drop_websocket();

    hornet_exchange_t* handle() { return reinterpret_cast<hornet_exchange_t*>(this); }
    static Exchange* from(hornet_exchange_t* x) { return reinterpret_cast<Exchange*>(x); }

private:
    WebSocketChannel* websocket_ = nullptr;
};

// The one ops table for every Exchange; static storage.
const hornet_exchange_ops_t* exchange_ops();

} // namespace hornet::sdk
