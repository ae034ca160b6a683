// hornet/sdk/loop_exchange.hpp: the exchange of an event-loop worker type,
// less its I/O.
//
// Every op an app calls runs on the worker's loop. LoopExchange keeps the
// rules of getting there, the same for every loop worker type: from
// another thread (an app's own, after PENDING) an op runs on the loop
// while its caller waits (loop_call.hpp), except finish(), which is posted
// and returns at once; on the loop the blocking read() refuses with
// HORNET_EWOULDBLOCK; one read at a time (HORNET_EBUSY); done callbacks
// and post()/defer() run later on the loop, never inside the call that
// started them, and are counted (callbacks_pending()) so that the exchange
// is not done while one is on its way; the app's result without finish()
// (ExchangeCore::finish_owed); the 101 of an upgrade and a 100 Continue go
// out through send_now(). The worker type derives (plugins/async's
// AsyncExchange, plugins/uring's RingExchange), moves the bytes: the
// socket reads of continue_read(), the writes, finish()'s plan, the timer;
// and says when the exchange is done (maybe_done()).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "hornet/sdk/exchange.hpp"
#include "hornet/sdk/exchange_core.hpp"
#include "hornet/sdk/loop_call.hpp"
#include "hornet/sdk/wire_buffers.hpp"

namespace hornet::sdk {

class LoopExchange : public Exchange {
public:
    explicit LoopExchange(const ExchangeParts& parts) : core_(parts) {}

    // [loop] After the exchange is done: may the connection carry another
    // request? Did the client leave bytes unread?
    bool reusable() const { return core_.reusable(); }
    bool unread_input() const { return core_.unread_input(); }

    // Exchange: the app's ops, any thread (see the file comment).
    const hornet_request_t* request() override { return &core_.parts().request; }
    ptrdiff_t read(void* buf, size_t cap) override;
    int read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) override;
    int start(int status, const hornet_header_t* headers, size_t count) override;
    int trailers(const hornet_header_t* fields, size_t count) override;
    int finish(int error) override;
    int timer_start(uint64_t ms, hornet_done_fn done, void* user_data) override;
    int post(hornet_done_fn fn, void* user_data) override;
    int defer(hornet_done_fn fn, void* user_data) override { return post(fn, user_data); }
    int upgrade(const hornet_header_t* headers, size_t count) override;
    const hornet_host_t* host() const override { return core_.parts().host; }
    bool on_loop_thread() const override { return in_loop(); }
    const hornet_worker_ctx_t* worker_ctx() const override { return core_.parts().ctx; }

protected:
    using Task = std::function<void()>;

    // ---- what the worker type gives ----
    // [any thread] Is the caller on this exchange's loop thread?
    virtual bool in_loop() const = 0;
    // [any thread] Runs task on the loop, later.
    virtual void run_on_loop(Task task) = 0;
    // [any thread] Runs run_scheduled(fn, user_data, result) on the loop,
    // later (never inside the calling op).
    virtual void schedule(hornet_done_fn fn, void* user_data, ptrdiff_t result) = 0;
    // [any thread] The head says Connection: close when false.
    virtual bool keep_going() const = 0;
    // [loop] The read in read_ goes on: step the core, read the socket.
    virtual void continue_read() = 0;
    // [loop] Bytes to send now, before what the app writes next.
    virtual void send_now(const WireBuffers& out) = 0;
    // [loop] The app's finish() (once): send the core's plan.
    virtual int loop_finish(int error) = 0;
    // [loop] The exchange's one timer ("hornet.timer/1"); finished is checked.
    virtual int loop_timer_start(uint64_t ms, hornet_done_fn done, void* user_data) = 0;
    // [loop] After anything that may have ended the exchange.
    virtual void maybe_done() = 0;

    // ---- for the worker type ----
    // [loop] A new request on this object: the last one's WebSocket goes,
    // the core and the read start over.
    void begin_request();
    // [loop] handle() returned rc: finish for the app if it owes it.
    void finish_if_owed(int rc);
    // [loop] Tells an op's caller: wakes a waiting thread, or schedules
    // the callback.
    void complete(const Completion& c, ptrdiff_t result);
    // [loop] The body of a scheduled callback.
    void run_scheduled(hornet_done_fn fn, void* user_data, ptrdiff_t result);
    // [loop] The read ends with result; its caller hears (a callback later).
    void end_read(ptrdiff_t result);
    // [loop] The same from the socket read's own completion, which never
    // runs inside the call that started the read: the callback runs now,
    // without a second trip through the loop (a WebSocket message costs
    // one hop, not two).
    void end_read_now(ptrdiff_t result);
    // [loop] After finish(): the next socket read that drops what the app
    // left of the body, into the returned space (read_ is then `discard`);
    // empty when there is nothing to drop or it cannot be (the connection
    // then closes). Call when no read is in flight.
    std::span<char> next_discard();
    bool callbacks_pending() const { return pending_.load() != 0; }

    // ---- a graceful stop's drain ----
    // A WebSocket says 1001 (going_away()); a raw stream's app is told by
    // its read: the one in flight, or else the next one that would wait,
    // ends with HORNET_ESHUTDOWN, once.
    // [loop] The worker drains this exchange (`active`: it serves a
    // request). True: cancel the raw read in flight alone (not the socket:
    // the writes go on); it then ends as stop_notice_due() says.
    bool note_drain(bool active);
    // [loop] Before an upgraded read that would wait (`draining`: the
    // worker drains): true when it must end with HORNET_ESHUTDOWN instead.
    bool stop_before_raw_read(bool draining);
    // [loop] A raw read in flight ended (`cancelled`: by its cancel; `cut`:
    // the connection was cut): true when that was the drain's notice, to
    // end the read with HORNET_ESHUTDOWN.
    bool stop_notice_due(bool cancelled, bool cut);

    ExchangeCore core_;
    BodyRead read_; // [loop] the one body read in flight

private:
    template <class Now>
    ptrdiff_t now_on_loop(Now&& now) {
        return on_loop([this](auto task) { run_on_loop(std::move(task)); }, in_loop(), now);
    }
    void start_read(void* buf, size_t cap, const Completion& c);

    enum class StopNotice : uint8_t { none, owed, given }; // a raw stream's, of a drain

    std::atomic<bool> finish_called_{false};
    std::atomic<int> pending_{0}; // callbacks scheduled, not yet run
    StopNotice stop_notice_ = StopNotice::none; // [loop] per request
};

} // namespace hornet::sdk
