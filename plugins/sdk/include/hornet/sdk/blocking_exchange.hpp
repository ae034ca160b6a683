// hornet/sdk/blocking_exchange.hpp: one request on a blocking connection.
//
// Implements the exchange ops for thread-per-request worker types (sync and
// gthread): reads de-chunk the body straight from the connection's
// buffer and socket (100 Continue sent on the first read), writes go out as
// they come through the ResponseEncoder. run() calls the app and, after
// PENDING, runs the queued async ops on the handler thread until finish().
// start/write/sendfile/finish are serialized by a mutex, so a PENDING app may
// call them from another thread. Bad response heads become a 500; a client
// body error (413, 400, 408) is answered in place of the app's error.
// Created on the handler thread's stack by BlockingConnection.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/sdk/completion_queue.hpp"
#include "hornet/sdk/exchange.hpp"
#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/request_parser.hpp"
#include "hornet/sdk/response_encoder.hpp"

namespace hornet::sdk {

// The connection state an exchange works on; all outlive the exchange.
struct ExchangeParts {
    BlockingSocket& socket;
    InputBuffer& input;
    RequestParser& parser;
    ResponseEncoder& encoder;
    const hornet_request_t& request;
    const hornet_host_t* host;
    const char* app_name;          // for log lines
    uint32_t body_timeout_ms;
    uint32_t write_timeout_ms;
    // Optional: asked at start() (any thread) whether the connection may
    // still carry another request; false makes the head say Connection: close.
    bool (*keep_alive)(const void* owner) = nullptr;
    const void* owner = nullptr;
};

class BlockingExchange final : public Exchange {
public:
    explicit BlockingExchange(const ExchangeParts& parts) : p_(parts) {}

    // handle() and, for PENDING, the wait for finish(). Never throws.
    void run(const hornet_app_t* app, void* instance);

    // Can the connection carry another request? (response complete, body
    // fully read, no I/O error)
    bool reusable() const;
    // Did the client leave bytes we never read (a body the app skipped)?
    bool unread_input() const;

    const hornet_request_t* request() override { return &p_.request; }
    ptrdiff_t read(void* buf, size_t cap) override;
    int read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) override;
    int start(int status, const hornet_header_t* headers, size_t count) override;
    int write(const void* data, size_t len) override;
    int write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) override;
    int sendfile(int fd, uint64_t offset, uint64_t len) override;
    int finish(int error) override;
    const hornet_host_t* host() const override { return p_.host; }

private:
    int call_app(const hornet_app_t* app, void* instance);
    ptrdiff_t read_body(void* buf, size_t cap);
    ptrdiff_t fill_input();
    int send_continue();
    // out_mu_ held. `last`: the connection's final bytes (see write_all);
    // then it half-closes even when out is empty.
    int flush(const WireBuffers& out, bool last = false);
    int finish_locked(int error);              // out_mu_ held
    int answer_error(int status);              // out_mu_ held
    ptrdiff_t run_task(const AsyncTask& task);
    ptrdiff_t read_failed(IoError error);

    ExchangeParts p_;
    std::mutex out_mu_;            // the response side and socket writes
    CompletionQueue queue_;
    std::atomic<bool> finished_{false};
    std::atomic<bool> broken_{false};  // an I/O error: close the connection
    std::atomic<int> client_error_{0}; // 400/408/413 met while reading the body
    std::atomic<int> read_error_{0};   // what every later read() returns
    std::atomic<bool> reads_cut_{false}; // finish() interrupted a pending read
    bool head_refused_ = false;        // out_mu_: the app's head was bad, a 500 goes out
    bool continue_sent_ = false;       // out_mu_
};

} // namespace hornet::sdk
