// One accepted WebSocket over an upgraded exchange (see websocket_channel.hpp).
#include "websocket_channel.hpp"

#include <algorithm>
#include <chrono>

#include "hornet/support/log.hpp"

namespace hornet::sdk {
namespace ws = websocket;
namespace {

// One socket read: small while the peer sends little (an idle WebSocket
// holds its read in flight), four times larger after each read that
// filled it, up to kReadMax.
constexpr size_t kReadMin = 512;
constexpr size_t kReadMax = 64 * 1024;
constexpr size_t kLoopSendBound = 1u << 20;  // a loop thread's send() queues at most this
constexpr std::string_view kPing = "hornet";

int code_of(ws::SendResult r) {
    switch (r) {
    case ws::SendResult::ok: return HORNET_OK;
    case ws::SendResult::closed: return HORNET_ECLOSED;
    default: return HORNET_EINVAL;
    }
}

// A callback owed to the app, made once mu_ is released (it may call us).
struct Call {
    hornet_done_fn done = nullptr;
    void* user_data = nullptr;
    int result = 0;
    void run() const {
        if (done) done(user_data, result);
    }
};

} // namespace

WebSocketTimes WebSocketTimes::from(const hornet_worker_ctx_t* ctx) {
    WebSocketTimes t;
    const hornet_limits_t* l = ctx ? ctx->limits : nullptr;
    if (!l || !HORNET_HAS(l, hornet_limits_t, websocket_max_message)) return t;
    t.ping_interval_ms = l->websocket_ping_interval_ms;
    t.ping_timeout_ms = l->websocket_ping_timeout_ms;
    if (l->websocket_max_message) t.max_message = l->websocket_max_message;
    return t;
}

WebSocketChannel::WebSocketChannel(Exchange& x, const ws::SessionConfig& config, const WebSocketTimes& times)
    : x_(x), times_(times), session_(config) {
    heard_ms_ = now_ms();
}

std::unique_lock<std::mutex> WebSocketChannel::hold_for_101() {
    std::unique_lock writer(write_mu_);
    std::lock_guard lock(mu_);
    opening_ = true;
    return writer;
}

void WebSocketChannel::open() {
    std::lock_guard lock(mu_);
    open_ = true;
    heard_ms_ = now_ms();
    if (x_.on_loop_thread()) arm_timer_locked();
}

void WebSocketChannel::refuse() {
    std::lock_guard lock(mu_);
    opening_ = false;
    finishing_ = refused_ = true;
}

int64_t WebSocketChannel::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

size_t WebSocketChannel::memory_used() const {
    std::lock_guard lock(mu_);
    return session_.memory_used() + writing_.capacity() + (buf_ ? buf_size_ : 0);
}

char* WebSocketChannel::read_buffer_locked() {
    if (!buf_ || buf_size_ != want_size_) {
        buf_.reset();
        buf_ = std::make_unique<char[]>(want_size_);
        buf_size_ = want_size_;
    }
    return buf_.get();
}

// The read's bytes are parsed where they landed: the session copies (and
// unmasks) payloads into its own buffers, and the next read starts only
// once every byte was fed, so nothing here is copied or kept between reads.
void WebSocketChannel::took_locked(size_t n) {
    got_ = n;
    fed_ = 0;
    note_heard_locked();
    if (n == buf_size_) want_size_ = std::min(buf_size_ * 4, kReadMax);
    else if (n < buf_size_ / 4) want_size_ = kReadMin;
}

// What the last message left: buffers sized for it are given back.
void WebSocketChannel::shrink_locked() {
    session_.shrink();
    if (writing_.empty() && writing_.capacity() > kReadMin) std::string().swap(writing_);
}

// ---- receiving ------------------------------------------------------------------

WebSocketChannel::Got WebSocketChannel::poll_locked(hornet_ws_message_t* msg) {
    if (delivered_close_) return Got::closed;
    for (;;) {
        size_t used = 0;
        const ws::Event ev = session_.feed(unfed_locked(), used);
        fed_ += used;
        switch (ev.kind) {
        case ws::EventKind::none:
            if (peer_gone_) return deliver_close_locked(msg, ws::close_code::abnormal, close_reason_);
            return Got::nothing;
        case ws::EventKind::message:
        case ws::EventKind::fragment:
            msg->kind = ev.message == ws::MessageKind::text ? HORNET_WS_TEXT : HORNET_WS_BINARY;
            msg->fin = ev.kind == ws::EventKind::message || ev.fin;
            msg->data = {ev.payload.data(), ev.payload.size()};
            msg->close_code = 0;
            msg->close_reason = {"", 0};
            return Got::message;
        case ws::EventKind::ping:
        case ws::EventKind::pong:
            continue; // the pong is queued; liveness was noted when the bytes came
        case ws::EventKind::close:
            return deliver_close_locked(msg, ev.code, ev.reason);
        case ws::EventKind::error:
            support::logf(x_.host(), HORNET_LOG_DEBUG, "websocket: closing with %u: %.*s", ev.code,
                          static_cast<int>(ev.reason.size()), ev.reason.data());
            return deliver_close_locked(msg, ev.code, ev.reason);
        }
    }
}

WebSocketChannel::Got WebSocketChannel::deliver_close_locked(hornet_ws_message_t* msg, uint16_t code,
                                                             std::string_view reason) {
    close_reason_ = std::string(reason); // reason may point into the session: copy it first
    delivered_close_ = true;
    msg->kind = HORNET_WS_CLOSE;
    msg->fin = 1;
    msg->data = {"", 0};
    msg->close_code = code;
    msg->close_reason = {close_reason_.data(), close_reason_.size()};
    return Got::message;
}

void WebSocketChannel::note_heard_locked() {
    heard_ms_ = now_ms();
    ping_ms_ = 0;
}

// How long a read may wait before on_silence_locked() must run; 0: forever.
uint32_t WebSocketChannel::silence_wait_locked() const {
    const int64_t now = now_ms();
    int64_t left = 0;
    if (ping_ms_ != 0) {
        if (times_.ping_timeout_ms == 0) return 0;
        left = ping_ms_ + times_.ping_timeout_ms - now;
    } else {
        if (times_.ping_interval_ms == 0) return 0;
        left = heard_ms_ + times_.ping_interval_ms - now;
    }
    return static_cast<uint32_t>(std::clamp<int64_t>(left, 1, UINT32_MAX));
}

bool WebSocketChannel::on_silence_locked() {
    const int64_t now = now_ms();
    if (ping_ms_ != 0) {
        if (times_.ping_timeout_ms == 0 || now < ping_ms_ + times_.ping_timeout_ms) return false;
        close_reason_ = "no pong within websocket_ping_timeout";
        return true;
    }
    if (times_.ping_interval_ms == 0 || now < heard_ms_ + times_.ping_interval_ms) return false;
    if (session_.ping(kPing) == ws::SendResult::ok) ping_ms_ = now;
    return false;
}

int WebSocketChannel::recv(hornet_ws_message_t* msg) {
    if (x_.on_loop_thread()) return HORNET_EWOULDBLOCK;
    std::unique_lock lock(mu_);
    if (delivered_close_ || finishing_) return HORNET_ECLOSED;
    if (reading_ || recv_.done) return HORNET_EBUSY;
    for (;;) {
        if (poll_locked(msg) != Got::nothing) {
            lock.unlock();
            flush_blocking(); // a pong or the close's echo
            return HORNET_OK;
        }
        if (session_.pending_size() != 0) {
            lock.unlock();
            flush_blocking();
            lock.lock();
            continue;
        }
        shrink_locked();
        char* buf = read_buffer_locked();
        const size_t cap = buf_size_;
        reading_ = true;
        const uint32_t wait = silence_wait_locked();
        const bool stop_ends_wait = !stopping_;
        lock.unlock();
        x_.set_raw_wait(wait, stop_ends_wait);
        const ptrdiff_t n = x_.read(buf, cap);
        lock.lock();
        reading_ = false;
        if (n > 0) {
            took_locked(static_cast<size_t>(n));
        } else if (n == HORNET_ETIMEDOUT) {
            peer_gone_ = on_silence_locked();
        } else if (n == HORNET_ESHUTDOWN) {
            stopping_ = true;
            session_.close(ws::close_code::going_away, "server shutting down");
        } else {
            peer_gone_ = true;
            if (close_reason_.empty()) close_reason_ = "the connection ended without a close frame";
        }
    }
}

int WebSocketChannel::recv_async(hornet_ws_message_t* msg, hornet_done_fn done, void* user_data) {
    std::unique_lock lock(mu_);
    if (delivered_close_ || finishing_) return HORNET_ECLOSED;
    if (recv_.done) return HORNET_EBUSY; // a read still in flight is pump_loop's to reuse
    recv_ = {msg, done, user_data};
    // On a loop with every byte of the last read parsed, nothing can be
    // delivered before the socket brings more: read now, and the read's own
    // completion (never inside this call) goes on. One hop less per message.
    if (x_.on_loop_thread() && fed_ == got_ && !peer_gone_) {
        if (reading_ || read_async_locked(lock)) return HORNET_OK;
    }
    lock.unlock();
    // Never inside this call: the loop runs it next (a blocking exchange's
    // handler thread, once handle() returned PENDING).
    const int rc = x_.defer(on_kick, this);
    if (rc != HORNET_OK) {
        lock.lock();
        recv_ = {};
    }
    return rc;
}

void WebSocketChannel::on_kick(void* self, ptrdiff_t) { static_cast<WebSocketChannel*>(self)->pump_loop(); }

// The loop's receive step: deliver what is buffered, else read once more.
// A blocking exchange runs it on its handler thread: there the read blocks.
void WebSocketChannel::pump_loop() {
    std::unique_lock lock(mu_);
    pump_locked(lock);
}

void WebSocketChannel::pump_locked(std::unique_lock<std::mutex>& lock) {
    for (;;) {
        if (!recv_.done || finished_) return;
        const Got got = poll_locked(recv_.msg);
        if (flush_sync() && session_.pending_size() != 0) {
            lock.unlock();
            flush_blocking();
            lock.lock();
        } else {
            flush_loop_locked();
        }
        if (got != Got::nothing) {
            const Call call{recv_.done, recv_.user_data, HORNET_OK};
            recv_ = {};
            lock.unlock();
            return call.run();
        }
        if (reading_ || read_async_locked(lock)) return;
    }
}

bool WebSocketChannel::read_async_locked(std::unique_lock<std::mutex>& lock) {
    shrink_locked();
    char* buf = read_buffer_locked();
    const size_t cap = buf_size_;
    const uint32_t wait = silence_wait_locked();
    reading_ = true;
    int rc = HORNET_OK;
    if (flush_sync()) { // a blocking exchange reads here: never under mu_
        lock.unlock();
        x_.set_raw_wait(wait, !stopping_);
        rc = x_.read_async(buf, cap, on_read, this);
        lock.lock();
    } else { // a loop's read only starts (nothing of ours runs inside it)
        rc = x_.read_async(buf, cap, on_read, this);
    }
    if (rc == HORNET_OK) return true;
    reading_ = false;
    peer_gone_ = true;
    return false;
}

void WebSocketChannel::on_read(void* self, ptrdiff_t result) {
    auto* c = static_cast<WebSocketChannel*>(self);
    std::unique_lock lock(c->mu_);
    c->reading_ = false;
    if (c->finished_) return;
    if (result > 0) {
        c->took_locked(static_cast<size_t>(result));
    } else if (result == HORNET_ETIMEDOUT) {
        c->peer_gone_ = c->on_silence_locked();
    } else if (result == HORNET_ESHUTDOWN) {
        c->stopping_ = true;
        c->session_.close(ws::close_code::going_away, "server shutting down");
    } else {
        c->peer_gone_ = true;
        if (c->close_reason_.empty()) c->close_reason_ = "the connection ended without a close frame";
    }
    c->pump_locked(lock);
}

// ---- pings on a loop --------------------------------------------------------------

void WebSocketChannel::arm_timer_locked() {
    if (timer_busy_ || finished_ || delivered_close_) return;
    const uint32_t wait = silence_wait_locked();
    if (wait == 0) return;
    if (x_.timer_start(wait, on_timer, this) == HORNET_OK) timer_busy_ = true;
}

// Only while the app waits for a message: an app that is not receiving
// cannot see a pong either, so its peer is not judged.
void WebSocketChannel::on_timer(void* self, ptrdiff_t result) {
    auto* c = static_cast<WebSocketChannel*>(self);
    {
        std::lock_guard lock(c->mu_);
        c->timer_busy_ = false;
        if (result < 0 || c->finished_) return;
        if (c->reading_ && c->on_silence_locked()) c->peer_gone_ = true;
        if (!c->reading_) c->note_heard_locked();
        c->flush_loop_locked();
        c->arm_timer_locked();
        if (!c->peer_gone_) return;
    }
    c->pump_loop();
}

// ---- sending ------------------------------------------------------------------------

int WebSocketChannel::send_locked(int kind, const void* data, size_t len, bool fin) {
    if (finishing_ || !(open_ || opening_)) return HORNET_ECLOSED;
    if (kind != HORNET_WS_TEXT && kind != HORNET_WS_BINARY) return HORNET_EINVAL;
    const ws::MessageKind k = kind == HORNET_WS_TEXT ? ws::MessageKind::text : ws::MessageKind::binary;
    return code_of(session_.send(k, {static_cast<const char*>(data), len}, fin));
}

int WebSocketChannel::send(int kind, const void* data, size_t len, bool fin) {
    if (x_.on_loop_thread()) {
        std::lock_guard lock(mu_);
        if (session_.pending_size() + writing_.size() > kLoopSendBound) return HORNET_EWOULDBLOCK;
        const int rc = send_locked(kind, data, len, fin);
        if (rc == HORNET_OK) flush_loop_locked();
        return rc;
    }
    {
        std::lock_guard lock(mu_);
        if (const int rc = send_locked(kind, data, len, fin); rc != HORNET_OK) return rc;
    }
    return flush_blocking();
}

int WebSocketChannel::send_async(int kind, const void* data, size_t len, bool fin, hornet_done_fn done,
                                 void* user_data) {
    if (!x_.on_loop_thread()) {
        // Blocking here; the "go on" then comes from the exchange's own queue.
        if (const int rc = send(kind, data, len, fin); rc != HORNET_OK) return rc;
        return x_.defer(done, user_data);
    }
    std::lock_guard lock(mu_);
    if (send_.done) return HORNET_EBUSY;
    if (const int rc = send_locked(kind, data, len, fin); rc != HORNET_OK) return rc;
    send_ = {nullptr, done, user_data};
    send_until_ = written_ + writing_.size() + session_.pending_size();
    flush_loop_locked();
    if (peer_gone_) {
        send_ = {};
        return HORNET_ECLOSED;
    }
    if (written_ < send_until_) return HORNET_OK; // after_written() says go on
    // Copied into the connection's output already: go on, but never inside this call.
    send_deferred_ = true;
    if (x_.defer(on_send_deferred, this) == HORNET_OK) return HORNET_OK;
    send_deferred_ = false;
    send_ = {};
    return HORNET_ECLOSED;
}

void WebSocketChannel::on_send_deferred(void* self, ptrdiff_t) {
    auto* c = static_cast<WebSocketChannel*>(self);
    Call sent;
    {
        std::lock_guard lock(c->mu_);
        c->send_deferred_ = false;
        sent = {c->send_.done, c->send_.user_data, HORNET_OK};
        c->send_ = {};
    }
    sent.run();
}

int WebSocketChannel::close(uint16_t code, std::string_view reason) {
    {
        std::lock_guard lock(mu_);
        if (finishing_ || !open_) return HORNET_ECLOSED;
        if (const int rc = code_of(session_.close(code, reason)); rc != HORNET_OK) return rc;
        if (!flush_sync()) {
            flush_loop_locked();
            return HORNET_OK;
        }
    }
    return flush_blocking();
}

void WebSocketChannel::going_away() {
    std::lock_guard lock(mu_);
    if (stopping_ || finishing_ || !open_) return;
    stopping_ = true;
    session_.close(ws::close_code::going_away, "server shutting down");
    if (!flush_sync()) flush_loop_locked();
}

int WebSocketChannel::flush_blocking() {
    std::lock_guard writer(write_mu_);
    std::string out;
    for (;;) {
        {
            std::lock_guard lock(mu_);
            if (refused_) return HORNET_ECLOSED; // frames queued for a 101 that never went
            const std::string_view p = session_.pending_output();
            if (p.empty() || peer_gone_) return peer_gone_ ? HORNET_ECLOSED : HORNET_OK;
            out.assign(p);
            session_.consume_output(p.size());
        }
        const int rc = x_.write(out.data(), out.size());
        std::lock_guard lock(mu_);
        if (rc != HORNET_OK) {
            peer_gone_ = true;
            return rc;
        }
        written_ += out.size();
    }
}

// What fits the connection's output buffer is copied there at once (write()
// on a loop takes it whole or not at all): no copy of ours, no completion to
// wait for. Only a full buffer makes a write_async of our own copy.
void WebSocketChannel::flush_loop_locked() {
    if (writing_busy_ || peer_gone_ || finished_ || refused_) return;
    const std::string_view p = session_.pending_output();
    if (p.empty()) return;
    const int rc = x_.write(p.data(), p.size());
    if (rc == HORNET_OK) {
        written_ += p.size();
        session_.consume_output(p.size());
        return;
    }
    if (rc != HORNET_EWOULDBLOCK) {
        peer_gone_ = true;
        return;
    }
    writing_.assign(p);
    session_.consume_output(p.size());
    writing_busy_ = true;
    if (x_.write_async(writing_.data(), writing_.size(), on_written, this) == HORNET_OK) return;
    writing_busy_ = false;
    peer_gone_ = true;
}

void WebSocketChannel::on_written(void* self, ptrdiff_t result) {
    static_cast<WebSocketChannel*>(self)->after_written(result);
}

void WebSocketChannel::after_written(ptrdiff_t result) {
    Call sent;
    bool finish_now = false;
    {
        std::lock_guard lock(mu_);
        writing_busy_ = false;
        if (result < 0) peer_gone_ = true;
        else written_ += writing_.size();
        writing_.clear();
        flush_loop_locked(); // may copy the rest in at once
        if (send_.done && !send_deferred_ && (written_ >= send_until_ || peer_gone_)) {
            sent = {send_.done, send_.user_data, peer_gone_ ? HORNET_ECLOSED : HORNET_OK};
            send_ = {};
        }
        if (finishing_ && !finished_ && !writing_busy_) finished_ = finish_now = true;
    }
    sent.run();
    if (finish_now) {
        x_.finish(finish_error_);
        return;
    }
    if (peer_gone_) pump_loop();
}

// ---- the end --------------------------------------------------------------------------

int WebSocketChannel::finish(int error) {
    std::unique_lock lock(mu_);
    if (refused_ && !finished_) {
        finished_ = true;
        lock.unlock();
        return x_.finish(error);
    }
    if (finishing_) return HORNET_ECLOSED;
    if (session_.state() == ws::SessionState::open && !peer_gone_)
        session_.close(error ? ws::close_code::internal_error : ws::close_code::normal);
    if (flush_sync()) {
        lock.unlock();
        flush_blocking();
        lock.lock();
        finishing_ = finished_ = true;
        lock.unlock();
        return x_.finish(error);
    }
    finishing_ = true;
    finish_error_ = error;
    flush_loop_locked();
    if (writing_busy_) return HORNET_OK; // after_written() finishes
    finished_ = true;
    lock.unlock();
    return x_.finish(error);
}

} // namespace hornet::sdk
