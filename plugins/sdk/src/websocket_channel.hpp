// websocket_channel.hpp: one accepted WebSocket (hornet.websocket/1) over an
// upgraded exchange, for every worker type.
//
// The codec (websocket::Session) turns bytes into messages; the channel
// moves the bytes through the exchange's own virtual ops, so it works the
// same over a blocking socket (sync, gthread, async's pool: recv blocks in
// Exchange::read, sends block in Exchange::write) and on an event loop
// (async: recv_async chains Exchange::read_async, sends go out one
// write_async at a time, pings ride on the exchange's timer). The socket is
// read only while the app waits for a message: an app that stops receiving
// pushes back on its peer.
//
// Liveness: every read that waits longer than websocket_ping_interval of
// silence sends a ping; websocket_ping_timeout later without a byte from
// the peer the connection is given up (the app gets close 1006). Blocking:
// the read's own deadline; loop: the exchange timer.
//
// Threads: recv and recv_async one at a time (the app's rule for reads);
// send, send_async and close from any thread at any time (a chat room
// sends to every member); mu_ guards the session, write_mu_ makes one
// blocking writer at a time. Created by accept(), owned by the exchange.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "hornet/ext.h"
#include "hornet/sdk/exchange.hpp"
#include "hornet/sdk/websocket/session.hpp"

namespace hornet::sdk {

// From the worker's limits (hornet_limits_t, ABI 1.4), with uvicorn's defaults.
struct WebSocketTimes {
    uint32_t ping_interval_ms = 20000; // 0: no pings
    uint32_t ping_timeout_ms = 20000;  // 0: never give up on a silent peer
    uint64_t max_message = websocket::default_max_message;

    static WebSocketTimes from(const hornet_worker_ctx_t* ctx);
};

class WebSocketChannel {
public:
    // Made (and adopted by x) before the 101 goes, so that a send from
    // another thread never finds an upgraded exchange without its channel;
    // open() once the 101 is out: until then close is refused
    // (HORNET_ECLOSED) and no ping is armed. Sends are refused too, except
    // between hold_for_101() and open(): another thread's frames then queue
    // and wait for the writer lock the accepting thread holds, so they
    // follow the 101 (a chat room's sender may find the channel as soon as
    // the client has the 101, before open() ran).
    WebSocketChannel(Exchange& x, const websocket::SessionConfig& config, const WebSocketTimes& times);
    [[nodiscard]] std::unique_lock<std::mutex> hold_for_101();
    void open();
    // The 101 could not go: every op but finish() answers HORNET_ECLOSED
    // from now on, and finish() is the exchange's own. The channel stays
    // with the exchange (another thread may hold it) until the exchange
    // ends or serves its next request.
    void refuse();

    int recv(hornet_ws_message_t* msg);
    int recv_async(hornet_ws_message_t* msg, hornet_done_fn done, void* user_data);
    int send(int kind, const void* data, size_t len, bool fin);
    int send_async(int kind, const void* data, size_t len, bool fin, hornet_done_fn done, void* user_data);
    int close(uint16_t code, std::string_view reason);

    // The app's finish(): a close first (1000, or 1011 for an error) if
    // none went yet, and the output written; then x.finish(error), at once
    // (blocking) or once the last write is out (loop). Returns finish()'s.
    int finish(int error);
    // [loop] or the thread in recv: the worker stops; close 1001.
    void going_away();

    // Bytes held for this connection (for memory reports and tests).
    size_t memory_used() const;

private:
    struct Pending {
        hornet_ws_message_t* msg = nullptr;
        hornet_done_fn done = nullptr;
        void* user_data = nullptr;
    };
    enum class Got { nothing, message, closed };

    // mu_ held: the next event from what was read; a delivered message or
    // close fills *msg.
    Got poll_locked(hornet_ws_message_t* msg);
    Got deliver_close_locked(hornet_ws_message_t* msg, uint16_t code, std::string_view reason);
    void note_heard_locked();
    // mu_ held: a wait ran out: ping, or give up. true: give up.
    bool on_silence_locked();
    uint32_t silence_wait_locked() const;
    int send_locked(int kind, const void* data, size_t len, bool fin);

    // Blocking output: everything pending, one writer at a time.
    int flush_blocking();
    // Loop output: the next write_async unless one is in flight.
    void flush_loop_locked();
    static void on_written(void* self, ptrdiff_t result);
    static void on_send_deferred(void* self, ptrdiff_t result);
    void after_written(ptrdiff_t result);

    // Loop input.
    static void on_kick(void* self, ptrdiff_t result);
    static void on_read(void* self, ptrdiff_t result);
    static void on_timer(void* self, ptrdiff_t result);
    void pump_loop();
    void pump_locked(std::unique_lock<std::mutex>& lock); // mu_ held; released when it returns or calls out
    // mu_ held (lock): reads once more; false (peer_gone_ set) when the
    // read could not start. The lock is released during the call.
    bool read_async_locked(std::unique_lock<std::mutex>& lock);
    void arm_timer_locked();

    char* read_buffer_locked();
    void took_locked(size_t n);
    void shrink_locked();
    std::string_view unfed_locked() const { return {buf_.get() + fed_, got_ - fed_}; }

    bool flush_sync() const { return !x_.on_loop_thread(); }
    int64_t now_ms() const;

    Exchange& x_;
    WebSocketTimes times_;
    websocket::Session session_;
    mutable std::mutex mu_;
    std::mutex write_mu_;
    std::unique_ptr<char[]> buf_;    // socket reads land here; parsed in place
    size_t buf_size_ = 0;
    size_t got_ = 0;                 // bytes the last read put in buf_
    size_t fed_ = 0;                 // of those, given to the session (a read starts only once all are)
    size_t want_size_ = 512;         // the next read's (kReadMin)
    std::string writing_;            // loop: the bytes of a write_async in flight (the output was full)
    std::string close_reason_;       // the close we deliver ourselves
    Pending recv_;                   // loop: the app's recv_async
    Pending send_;                   // loop: the app's send_async
    uint64_t queued_ = 0;            // bytes queued by sends, in total
    uint64_t written_ = 0;           // of those, on the wire
    uint64_t send_until_ = 0;        // send_async completes once written_ reaches this
    int64_t heard_ms_ = 0;           // last byte from the peer
    int64_t ping_ms_ = 0;            // our unanswered ping went then (0: none)
    int finish_error_ = 0;
    bool reading_ = false;           // a read is in flight
    bool writing_busy_ = false;      // loop: a write_async is in flight
    bool send_deferred_ = false;     // loop: send_'s go-on is deferred (its bytes are in)
    bool timer_busy_ = false;
    bool delivered_close_ = false;   // the app got HORNET_WS_CLOSE
    bool peer_gone_ = false;         // end of stream, a failed read, or no pong
    bool open_ = false;              // open(): the 101 is out
    bool opening_ = false;           // hold_for_101(): the 101 is going; sends queue
    bool stopping_ = false;          // going_away() ran
    bool finishing_ = false;         // the app called finish()
    bool finished_ = false;          // x.finish() ran
    bool refused_ = false;           // refuse(): no 101, finish() is the exchange's
};

} // namespace hornet::sdk
