// One request of an async connection: the app's ops, run on the loop.
#include "async_exchange.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <string_view>

#include <boost/asio/post.hpp>

#include "async_worker.hpp"
#include "connection.hpp"
#include "hornet/sdk/log.hpp"

namespace hornet::async {
namespace asio = boost::asio;
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr size_t kReadChunk = 16 * 1024;

int code_for_status(int status) { return status == 413 ? HORNET_ETOOBIG : HORNET_EIO; }

} // namespace

Waiter& Waiter::for_this_thread() {
    thread_local Waiter waiter;
    return waiter;
}

AsyncExchange::AsyncExchange(Connection& c) : c_(c), worker_(c.worker_) {}

const hornet_host_t* AsyncExchange::host() const { return worker_.ctx()->host; }

bool AsyncExchange::on_loop() const { return worker_.in_loop_thread(); }

// Posts op to the loop and waits for it to complete its Completion.
template <class Op>
ptrdiff_t AsyncExchange::call_on_loop(Op&& op) {
    Waiter& w = Waiter::for_this_thread();
    asio::post(worker_.io(), [&w, &op] { op(Completion{nullptr, nullptr, &w}); });
    return w.wait();
}

void AsyncExchange::begin() {
    active_ = true;
    handle_returned_ = finished_ = head_refused_ = continue_sent_ = false;
    reads_cut_ = cut_short_ = false;
    client_error_ = read_error_ = 0;
    read_ = {};
    read_deadline_ms_ = 0;
    source_active_ = write_async_busy_ = false;
    finish_called_.store(false);
}

// ---- running the app --------------------------------------------------------

int AsyncExchange::call_app() {
    const hornet_app_t* app = worker_.ctx()->app;
    try {
        return app->handle(worker_.ctx()->app_instance, handle(), sdk::exchange_ops());
    } catch (const std::exception& e) {
        sdk::logf(host(), HORNET_LOG_ERROR, "app %s: handle() threw: %s", app->name, e.what());
    } catch (...) {
        sdk::logf(host(), HORNET_LOG_ERROR, "app %s: handle() threw", app->name);
    }
    return HORNET_EINTERNAL;
}

void AsyncExchange::run_on_loop() { on_handle_returned(call_app()); }

void AsyncExchange::run_on_pool() {
    const int rc = call_app();
    asio::post(worker_.io(), [this, rc] { on_handle_returned(rc); });
}

void AsyncExchange::on_handle_returned(int rc) {
    handle_returned_ = true;
    if (rc != HORNET_PENDING && !finish_called_.exchange(true)) {
        static std::atomic<bool> warned{false};
        const char* name = worker_.ctx()->app->name;
        if (rc != HORNET_DONE)
            sdk::logf(host(), HORNET_LOG_ERROR, "app %s: handle() returned %d; answering 500", name, rc);
        else if (!warned.exchange(true))
            sdk::logf(host(), HORNET_LOG_WARNING,
                      "app %s: handle() returned DONE without calling finish(); finishing it (logged once)", name);
        loop_finish(rc == HORNET_DONE ? 0 : HORNET_EINTERNAL);
    }
    maybe_done();
}

bool AsyncExchange::done() const {
    if (!active_ || !handle_returned_ || !finished_) return false;
    if (posted_ != 0 || read_.busy || read_.socket || timer_busy_ || !waiting_.empty() || source_active_) return false;
    return !c_.writing_ && (c_.broken_ || c_.out_.drained());
}

void AsyncExchange::maybe_done() {
    // A read still waiting on the client after the answer is out: cut it
    // short (the connection cannot carry another request then).
    if (finished_ && read_.socket && !c_.writing_ && (c_.broken_ || c_.out_.drained())) {
        reads_cut_ = true;
        c_.socket_.cancel();
    }
    if (done()) c_.wake();
}

bool AsyncExchange::reusable() const {
    return finished_ && !c_.broken_ && !reads_cut_ && !cut_short_ && c_.encoder_.keep_alive() &&
           c_.parser_.body_done();
}

bool AsyncExchange::unread_input() const { return !c_.parser_.body_done() || !c_.input_.empty(); }

void AsyncExchange::complete(const Completion& c, ptrdiff_t result) {
    if (c.waiter) c.waiter->complete(result);
    else if (c.done) post_done(c.done, c.user_data, result);
}

// Posted: a callback never runs inside the call that started its op.
void AsyncExchange::post_done(hornet_done_fn done, void* user_data, ptrdiff_t result) {
    ++posted_;
    asio::post(worker_.io(), [this, done, user_data, result] {
        --posted_;
        done(user_data, result);
        maybe_done();
    });
}

// ---- request ----------------------------------------------------------------

// Immutable from the head's parse until finish(): any thread.
const hornet_request_t* AsyncExchange::request() { return &c_.request_; }

ptrdiff_t AsyncExchange::read(void* buf, size_t cap) {
    if (on_loop()) return HORNET_EWOULDBLOCK;
    return call_on_loop([&](const Completion& c) {
        if (read_.busy) return complete(c, HORNET_EBUSY);
        start_read(buf, cap, c);
    });
}

int AsyncExchange::read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) {
    const Completion c{done, user_data, nullptr};
    if (on_loop()) return loop_read_async(buf, cap, c);
    return static_cast<int>(
        call_on_loop([&](const Completion& w) { w.waiter->complete(loop_read_async(buf, cap, c)); }));
}

int AsyncExchange::loop_read_async(void* buf, size_t cap, const Completion& c) {
    if (finished_) return HORNET_ECLOSED;
    if (read_.busy) return HORNET_EBUSY;
    start_read(buf, cap, c);
    return HORNET_OK;
}

void AsyncExchange::start_read(void* buf, size_t cap, const Completion& c) {
    if (finished_) return complete(c, HORNET_ECLOSED);
    if (read_error_) return complete(c, read_error_);
    if (c_.cut_) return complete(c, HORNET_ECLOSED);
    read_.buf = buf;
    read_.cap = cap;
    read_.done = c;
    read_.busy = true;
    if (c_.request_.flags & HORNET_REQ_EXPECT_CONTINUE) send_continue();
    continue_read();
}

// De-chunks what is buffered; reads the socket when that is not enough.
void AsyncExchange::continue_read() {
    for (;;) {
        const sdk::BodyResult r = c_.parser_.parse_body(c_.input_.data(), {static_cast<char*>(read_.buf), read_.cap});
        c_.input_.consume(r.consumed);
        if (r.status == sdk::ParseStatus::error) {
            client_error_ = r.http_status;
            read_error_ = code_for_status(r.http_status);
            return end_read(read_error_);
        }
        if (r.produced > 0) return end_read(static_cast<ptrdiff_t>(r.produced));
        if (r.status == sdk::ParseStatus::done) return end_read(0);
        if (r.consumed != 0) continue; // framing only: parse on
        const std::span<char> space = c_.input_.prepare(kReadChunk);
        if (space.empty()) { // a chunk-size line longer than the whole buffer
            client_error_ = 400;
            read_error_ = HORNET_EIO;
            return end_read(read_error_);
        }
        read_.socket = true;
        read_deadline_ms_ = worker_.now_ms() + worker_.timeouts().body_ms;
        c_.socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                   [this](const boost::system::error_code& ec, size_t n) {
                                       on_body_read(static_cast<bool>(ec), ec == asio::error::eof, n);
                                   });
        return;
    }
}

void AsyncExchange::on_body_read(bool failed, bool eof, size_t n) {
    read_.socket = false;
    read_deadline_ms_ = 0;
    if (!failed && n > 0 && !reads_cut_ && !finished_) {
        c_.input_.commit(n);
        return continue_read();
    }
    int rc = HORNET_EIO;
    if (finished_ || reads_cut_ || c_.cut_) {
        rc = HORNET_ECLOSED;
    } else if (read_.timed_out) {
        client_error_ = 408;
    } else if (eof || n == 0) {
        client_error_ = 400; // a truncated body; the client may still read an answer
        rc = HORNET_ECLOSED;
    } else {
        c_.broken_ = true;
    }
    read_error_ = rc;
    end_read(rc);
}

void AsyncExchange::end_read(ptrdiff_t result) {
    read_.busy = false;
    const Completion c = read_.done;
    read_.done = {};
    complete(c, result);
    maybe_done();
}

void AsyncExchange::on_read_deadline() {
    read_deadline_ms_ = 0;
    if (!read_.socket) return;
    read_.timed_out = true;
    c_.socket_.cancel();
}

// Sent on the first read only, so a client that waits for it sends the body
// only to an app that wants it.
void AsyncExchange::send_continue() {
    if (continue_sent_ || c_.encoder_.head_sent() || c_.parser_.body_done() || c_.broken_) return;
    continue_sent_ = true;
    c_.out_.append(kContinue);
    c_.kick_write();
}

// ---- response ---------------------------------------------------------------

int AsyncExchange::start(int status, const hornet_header_t* headers, size_t count) {
    if (on_loop()) return loop_start(status, headers, count);
    return static_cast<int>(call_on_loop(
        [&](const Completion& w) { w.waiter->complete(loop_start(status, headers, count)); }));
}

int AsyncExchange::loop_start(int status, const hornet_header_t* headers, size_t count) {
    if (finished_) return HORNET_ECLOSED;
    if (head_refused_ || c_.encoder_.started()) return HORNET_EINVAL;
    if (!worker_.keep_going()) c_.encoder_.refuse_keep_alive(); // a stop came meanwhile
    const int rc = c_.encoder_.start(status, {headers, count});
    if (rc == HORNET_OK) return rc;
    head_refused_ = true;
    sdk::logf(host(), HORNET_LOG_ERROR, "app %s: %s; answering 500 instead", worker_.ctx()->app->name,
              c_.encoder_.head().error().c_str());
    return rc;
}

int AsyncExchange::write_checks() const {
    if (finished_) return HORNET_ECLOSED;
    if (c_.broken_ || c_.cut_) return HORNET_EIO;
    if (head_refused_) return HORNET_EINVAL;
    return HORNET_OK;
}

int AsyncExchange::write(const void* data, size_t len) {
    if (on_loop()) return loop_buffered_write(data, len);
    return static_cast<int>(call_on_loop([&](const Completion& w) {
        if (const int rc = loop_write({data, len, -1, 0, w}, false); rc != HORNET_OK) w.waiter->complete(rc);
    }));
}

// On the loop a write cannot wait: it is copied while the output buffer has
// room, else refused whole.
int AsyncExchange::loop_buffered_write(const void* data, size_t len) {
    if (const int rc = write_checks(); rc != HORNET_OK) return rc;
    if (!waiting_.empty() || !c_.out_.has_room(len)) return HORNET_EWOULDBLOCK;
    sdk::WireBuffers out;
    if (const int rc = c_.encoder_.body(data, len, out); rc != HORNET_OK) return rc;
    for (const iovec& v : out.iov()) c_.out_.append(v.iov_base, v.iov_len);
    c_.kick_write();
    return HORNET_OK;
}

int AsyncExchange::write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) {
    const WriteCall call{data, len, -1, 0, Completion{done, user_data, nullptr}};
    if (on_loop()) return loop_write(call, true);
    return static_cast<int>(call_on_loop([&](const Completion& w) { w.waiter->complete(loop_write(call, true)); }));
}

int AsyncExchange::sendfile(int fd, uint64_t offset, uint64_t len) {
    if (on_loop()) return HORNET_EWOULDBLOCK;
    return call_on_loop([&](const Completion& w) {
        if (const int rc = loop_write({nullptr, len, fd, offset, w}, false); rc != HORNET_OK) w.waiter->complete(rc);
    });
}

// A write with a completion: HORNET_OK and the completion runs once its
// bytes are all in the output buffer (or failed); <0 and it never runs.
int AsyncExchange::loop_write(const WriteCall& call, bool async) {
    if (const int rc = write_checks(); rc != HORNET_OK) return rc;
    if (async && write_async_busy_) return HORNET_EBUSY;
    if (async) write_async_busy_ = true;
    if (source_active_ || !waiting_.empty()) waiting_.push_back(call);
    else begin_write(call);
    return HORNET_OK;
}

// Frames the call (its head and chunk line go in at once) and copies its
// bytes in, or makes them the buffer's source when they do not fit.
void AsyncExchange::begin_write(const WriteCall& call) {
    sdk::WireBuffers out;
    const iovec* data = nullptr;
    std::string_view suffix;
    bool file = false; // the file's bytes follow `out`
    int rc = HORNET_OK;
    if (call.fd < 0) {
        rc = c_.encoder_.body(call.data, static_cast<size_t>(call.len), out);
    } else {
        sdk::BodyFrame frame;
        rc = c_.encoder_.frame(call.len, frame);
        out = frame.before;
        file = rc == HORNET_OK && frame.send_data && call.len != 0;
        if (file) suffix = frame.after;
        else out.add(frame.after);
    }
    if (rc != HORNET_OK) {
        if (call.done.done) write_async_busy_ = false;
        return complete(call.done, rc);
    }
    for (const iovec& v : out.iov()) {
        if (call.fd < 0 && call.len != 0 && v.iov_base == call.data) data = &v;
        else if (data) suffix = {static_cast<const char*>(v.iov_base), v.iov_len};
        else c_.out_.append(v.iov_base, v.iov_len);
    }
    if (!data && !file) {
        if (call.done.done) write_async_busy_ = false;
        complete(call.done, HORNET_OK);
        return c_.kick_write();
    }
    if (data && c_.out_.has_room(call.len)) { // small: copy now
        c_.out_.append(call.data, static_cast<size_t>(call.len));
        c_.out_.append(suffix);
        if (call.done.done) write_async_busy_ = false;
        complete(call.done, HORNET_OK);
        return c_.kick_write();
    }
    if (file) c_.out_.set_file_source(call.fd, call.offset, call.len, suffix);
    else c_.out_.set_source(call.data, call.len, suffix);
    source_active_ = true;
    source_done_ = call.done;
    c_.kick_write();
}

void AsyncExchange::on_source_taken(int error) {
    if (!source_active_) return;
    source_active_ = false;
    const Completion c = source_done_;
    source_done_ = {};
    if (c.done) write_async_busy_ = false;
    if (error < 0) {
        c_.broken_ = true; // the framing promised bytes that did not go out
        complete(c, HORNET_EIO);
    } else {
        complete(c, HORNET_OK);
    }
    next_write();
}

void AsyncExchange::next_write() {
    while (!waiting_.empty() && !source_active_) {
        const WriteCall call = waiting_.front();
        waiting_.pop_front();
        if (const int rc = write_checks(); rc != HORNET_OK) {
            if (call.done.done) write_async_busy_ = false;
            complete(call.done, rc);
            continue;
        }
        begin_write(call);
    }
}

void AsyncExchange::fail_writes(int error) {
    while (!waiting_.empty()) {
        const WriteCall call = waiting_.front();
        waiting_.pop_front();
        if (call.done.done) write_async_busy_ = false;
        complete(call.done, error);
    }
}

void AsyncExchange::on_output_failed() {
    if (source_active_) on_source_taken(HORNET_EIO);
    fail_writes(HORNET_EIO);
}

// ---- finish -----------------------------------------------------------------

int AsyncExchange::finish(int error) {
    if (finish_called_.exchange(true)) return HORNET_ECLOSED;
    if (on_loop()) return loop_finish(error);
    asio::post(worker_.io(), [this, error] { loop_finish(error); });
    return HORNET_OK;
}

int AsyncExchange::loop_finish(int error) {
    if (finished_) return HORNET_ECLOSED;
    finished_ = true;
    if (source_active_ || !waiting_.empty()) { // a write still in flight: its bytes will not all go
        cut_short_ = true;
        if (source_active_) {
            c_.out_.discard();
            c_.broken_ = true;
            on_source_taken(HORNET_ECLOSED);
        }
        fail_writes(HORNET_ECLOSED);
    }
    int rc = HORNET_OK;
    if (!c_.broken_ && !c_.cut_) {
        try {
            rc = finish_response(error);
        } catch (...) {
            c_.broken_ = true;
            rc = HORNET_EINTERNAL;
        }
    }
    if (timer_busy_) c_.timer_.cancel();
    maybe_done();
    return rc;
}

int AsyncExchange::finish_response(int error) {
    if (error == 0 && !head_refused_) {
        sdk::WireBuffers out;
        c_.encoder_.finish(out);
        for (const iovec& v : out.iov()) c_.out_.append(v.iov_base, v.iov_len);
        if (!c_.encoder_.complete())
            sdk::logf(host(), HORNET_LOG_WARNING,
                      "app %s: response body shorter than its Content-Length; closing the connection",
                      worker_.ctx()->app->name);
        c_.kick_write();
        return HORNET_OK;
    }
    if (c_.encoder_.head_sent()) { // mid-body, only closing tells the client it is cut short
        cut_short_ = true;
        return HORNET_OK;
    }
    const int status = head_refused_ || client_error_ == 0 ? 500 : client_error_;
    sdk::WireBuffers out;
    c_.encoder_.error_response(status, out);
    for (const iovec& v : out.iov()) c_.out_.append(v.iov_base, v.iov_len);
    c_.kick_write();
    return HORNET_OK;
}

// Stop now: ops fail, timers end early; the app still owes finish().
void AsyncExchange::cut() {
    if (!active_) return;
    c_.broken_ = true;
    on_output_failed();
    if (timer_busy_) c_.timer_.cancel();
    maybe_done();
}

// ---- extensions --------------------------------------------------------------

int AsyncExchange::timer_start(uint64_t ms, hornet_done_fn done, void* user_data) {
    if (!done) return HORNET_EINVAL;
    if (on_loop()) return loop_timer_start(ms, done, user_data);
    return static_cast<int>(
        call_on_loop([&](const Completion& w) { w.waiter->complete(loop_timer_start(ms, done, user_data)); }));
}

int AsyncExchange::loop_timer_start(uint64_t ms, hornet_done_fn done, void* user_data) {
    if (finished_ || c_.cut_) return HORNET_ECLOSED;
    if (timer_busy_) return HORNET_EBUSY;
    timer_busy_ = true;
    timer_done_ = Completion{done, user_data, nullptr};
    c_.timer_.expires_after(std::chrono::milliseconds(std::min<uint64_t>(ms, INT32_MAX)));
    c_.timer_.async_wait([this](const boost::system::error_code& ec) {
        timer_busy_ = false;
        const Completion c = timer_done_;
        timer_done_ = {};
        c.done(c.user_data, ec || finished_ || c_.cut_ ? HORNET_ECLOSED : 0);
        maybe_done();
    });
    return HORNET_OK;
}

int AsyncExchange::post(hornet_done_fn fn, void* user_data) {
    if (!fn) return HORNET_EINVAL;
    asio::post(worker_.io(), [fn, user_data] { fn(user_data, 0); });
    return HORNET_OK;
}

} // namespace hornet::async
