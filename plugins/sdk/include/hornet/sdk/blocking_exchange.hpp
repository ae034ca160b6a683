// hornet/sdk/blocking_exchange.hpp: one request on a blocking connection.
//
// The exchange ops for thread-per-request worker types (sync, gthread, and
// the async worker's pool for blocking apps): the ExchangeCore decides, this
// class moves the bytes. Reads de-chunk the body straight from the
// connection's buffer and socket (100 Continue sent on the first read);
// writes go out as they come. run() calls the app and, after PENDING, runs
// the queued async ops on the calling thread until finish(). Every op holds
// one mutex while it consults the core or writes, so a PENDING app may call
// them from any thread. Made on the serving thread's stack, one per request.
#pragma once

#include <cstdint>
#include <atomic>
#include <mutex>

#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/sdk/detail/completion_queue.hpp"
#include "hornet/sdk/exchange.hpp"
#include "hornet/sdk/exchange_core.hpp"

namespace hornet::sdk {

// What a blocking exchange adds to the core's parts.
struct BlockingParts {
    BlockingSocket& socket;
    uint32_t body_timeout_ms;
    uint32_t write_timeout_ms;
    // Asked at start() (any thread) whether the connection may still carry
    // another request; false makes the head say Connection: close.
    bool (*keep_alive)(const void* owner);
    const void* owner;
};

class BlockingExchange : public Exchange {
public:
    BlockingExchange(const ExchangeParts& parts, const BlockingParts& io) : core_(parts), io_(io) {}

    // handle() and, for PENDING, the wait for finish(); then what the app
    // left of the body is dropped (ExchangeCore::wants_discard). Never throws.
    void run(const hornet_app_t* app, void* instance);

    // After run(): can the connection carry another request? Did the client
    // leave bytes we never read (a body the app skipped)?
    bool reusable() const { return core_.reusable(); }
    bool unread_input() const { return core_.unread_input(); }

    const hornet_request_t* request() override { return &core_.parts().request; }
    ptrdiff_t read(void* buf, size_t cap) override;
    int read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) override;
    int start(int status, const hornet_header_t* headers, size_t count) override;
    int trailers(const hornet_header_t* fields, size_t count) override;
    int write(const void* data, size_t len) override;
    int write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) override;
    int sendfile(int fd, uint64_t offset, uint64_t len) override;
    int finish(int error) override;
    const hornet_host_t* host() const override { return core_.parts().host; }
    int upgrade(const hornet_header_t* headers, size_t count) override;
    void set_raw_wait(uint32_t timeout_ms, bool stop_ends_wait) override;
    int defer(hornet_done_fn fn, void* user_data) override;
    const hornet_worker_ctx_t* worker_ctx() const override { return core_.parts().ctx; }

private:
    ptrdiff_t fill_input();
    void discard_rest();
    int send_continue();
    // mu_ held. `last`: the connection's final bytes (see write_all); then it
    // half-closes even when out is empty.
    int flush(const WireBuffers& out, bool last = false);
    ptrdiff_t run_task(const AsyncTask& task);

    ExchangeCore core_;  // mu_
    BlockingParts io_;
    std::mutex mu_;      // the core, the response side and socket writes
    CompletionQueue queue_;
    // Upgraded reads (set_raw_wait): how long one waits, and whether a
    // graceful stop ends it.
    std::atomic<uint32_t> raw_wait_ms_{0};
    std::atomic<bool> raw_stop_ends_wait_{true};
};

} // namespace hornet::sdk
