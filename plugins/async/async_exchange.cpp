// One request of an async connection for a loop app: the core's decisions,
// carried out on the loop.
#include "async_exchange.hpp"

#include <poll.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>

#include "async_worker.hpp"
#include "connection.hpp"
#include "hornet/sdk/io.hpp"

namespace hornet::async {
namespace asio = boost::asio;

AsyncExchange::AsyncExchange(AsyncWorker& worker, Connection& c, const sdk::ExchangeParts& parts)
    : LoopExchange(parts), worker_(worker), c_(c) {}

bool AsyncExchange::in_loop() const { return worker_.in_loop_thread(); }
bool AsyncExchange::keep_going() const { return worker_.keep_going(); }
void AsyncExchange::run_on_loop(Task task) { asio::post(worker_.io(), std::move(task)); }

// Posted: a callback never runs inside the call that started its op.
void AsyncExchange::schedule(hornet_done_fn fn, void* user_data, ptrdiff_t result) {
    asio::post(worker_.io(), [this, fn, user_data, result] { run_scheduled(fn, user_data, result); });
}

void AsyncExchange::send_now(const sdk::WireBuffers& out) {
    c_.writer().append(out);
    c_.writer().kick();
}

// ---- running the app ----------------------------------------------------------

void AsyncExchange::run(const sdk::AppRoute& route) {
    begin_request();
    rq_ = {};
    rq_.active = true;
    c_.timer().open();
    const int rc = core_.call_app(route.app, route.instance, handle());
    rq_.handle_returned = true;
    finish_if_owed(rc);
    maybe_done();
}

bool AsyncExchange::done() const {
    if (!rq_.active || !rq_.handle_returned || !core_.finished()) return false;
    if (callbacks_pending() || read_.stage != Read::idle || rq_.source_active || !waiting_.empty()) return false;
    return !c_.timer().busy() && c_.writer().settled();
}

// A read still waiting on the client after the answer is out: cut it short
// (the connection cannot carry another request then).
void AsyncExchange::maybe_done() {
    if (core_.finished() && read_.stage == Read::socket && c_.writer().settled()) {
        core_.set_wire(sdk::Wire::closing);
        c_.socket().cancel();
    }
    if (done()) c_.wake();
}

// ---- request body -----------------------------------------------------------------

void AsyncExchange::continue_read() {
    const sdk::ReadStep step = core_.read_step(read_.buf, read_.cap);
    if (!step.need_input) return end_read(step.result);
    if (stop_before_raw_read(worker_.draining())) return end_read(HORNET_ESHUTDOWN);
    if (core_.upgraded()) return read_raw_direct();
    const std::span<char> space = core_.input_space();
    if (space.empty()) return end_read(core_.may_read());
    read_.stage = Read::socket;
    rq_.read_deadline_ms = core_.upgraded() ? 0 : worker_.now_ms() + worker_.timeouts().body_ms;
    c_.stream().async_read_some(asio::buffer(space.data(), space.size()),
                                [this](const boost::system::error_code& ec, size_t n) { on_body_read(ec, n); });
}

// An upgraded stream with nothing buffered reads straight into the app's
// buffer: no copy, and the connection's input does not grow for it (an idle
// WebSocket keeps only its read in flight).
// A raw stream's read can be cancelled alone (drain()): cancelling the
// socket would cut the writer's wait too. A WebSocket's channel hears of the
// drain from going_away(), so its reads need no slot.
void AsyncExchange::read_raw_direct() {
    read_.stage = Read::socket;
    rq_.read_deadline_ms = 0;
    auto done = [this](const boost::system::error_code& ec, size_t n) {
        if (stop_notice_due(ec == asio::error::operation_aborted, c_.is_cut())) return end_read_now(HORNET_ESHUTDOWN);
        const bool eof = ec == asio::error::eof || (!ec && n == 0);
        end_read_now(core_.raw_direct_done(ec ? 0 : n, sdk::read_failure(c_.is_cut(), false, eof)));
    };
    const auto space = asio::buffer(read_.buf, read_.cap);
    if (websocket()) return c_.stream().async_read_some(space, std::move(done));
    c_.stream().async_read_some(space, asio::bind_cancellation_slot(raw_cancel_.slot(), std::move(done)));
}

void AsyncExchange::on_body_read(const boost::system::error_code& ec, size_t n) {
    read_.stage = Read::parsing;
    rq_.read_deadline_ms = 0;
    const bool eof = ec == asio::error::eof || (!ec && n == 0);
    const auto result = core_.body_read_done(ec ? 0 : n, sdk::read_failure(c_.is_cut(), rq_.read_timed_out, eof));
    if (!result) return continue_read();
    end_read(*result);
}

void AsyncExchange::release_idle_output() {
    if (!rq_.active || !core_.upgraded() || read_.stage != Read::socket || !waiting_.empty()) return;
    if (c_.writer().settled()) c_.writer().buffer().release();
}

void AsyncExchange::check_read_deadline(int64_t now_ms) {
    if (rq_.read_deadline_ms == 0 || now_ms < rq_.read_deadline_ms) return;
    rq_.read_deadline_ms = 0;
    rq_.read_timed_out = true;
    c_.socket().cancel();
}

// ---- response -------------------------------------------------------------------

int AsyncExchange::write(const void* data, size_t len) {
    if (in_loop()) return loop_buffered_write(data, len);
    return static_cast<int>(wait_for_loop(worker_.io(), [&](const Completion& w) {
        if (const int rc = loop_write({data, len, -1, 0, w}, false); rc != HORNET_OK) w.waiter->complete(rc);
    }));
}

// On the loop a write cannot wait: it is copied while the output buffer has
// room, else refused whole.
int AsyncExchange::loop_buffered_write(const void* data, size_t len) {
    if (const int rc = core_.admit_write(); rc != HORNET_OK) return rc;
    if (!waiting_.empty() || !c_.writer().buffer().has_room(len)) return HORNET_EWOULDBLOCK;
    sdk::WireBuffers out;
    if (const int rc = core_.parts().encoder.body(data, len, out); rc != HORNET_OK) return rc;
    c_.writer().append(out);
    c_.writer().kick();
    return HORNET_OK;
}

int AsyncExchange::write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) {
    const WriteCall call{data, len, -1, 0, Completion{done, user_data, nullptr}};
    return static_cast<int>(on_loop(worker_.io(), in_loop(), [&] { return loop_write(call, true); }));
}

int AsyncExchange::sendfile(int fd, uint64_t offset, uint64_t len) {
    if (in_loop()) return HORNET_EWOULDBLOCK;
    return static_cast<int>(wait_for_loop(worker_.io(), [&](const Completion& w) {
        if (const int rc = loop_write({nullptr, len, fd, offset, w}, false); rc != HORNET_OK) w.waiter->complete(rc);
    }));
}

// A write with a completion: HORNET_OK and the completion runs once its
// bytes are all in the output buffer (or failed); <0 and it never runs.
int AsyncExchange::loop_write(const WriteCall& call, bool async) {
    if (const int rc = core_.admit_write(); rc != HORNET_OK) return rc;
    if (async && rq_.write_async_busy) return HORNET_EBUSY;
    if (async) rq_.write_async_busy = true;
    if (rq_.source_active || !waiting_.empty()) waiting_.push_back(call);
    else begin_write(call);
    return HORNET_OK;
}

// Frames the call (its head and chunk line go in at once) and copies its
// bytes in, or makes them the buffer's source when they do not fit.
void AsyncExchange::begin_write(const WriteCall& call) {
    std::string_view suffix;
    bool file = false;            // the file's bytes follow what is framed
    const iovec* data = nullptr;  // the app's bytes among the framed ones
    if (!frame_write(call, suffix, file, data)) return;
    OutputBuffer& out = c_.writer().buffer();
    if (!data && !file) return release_write(call.done, HORNET_OK);
    if (data && out.has_room(call.len)) { // small: copy now
        out.append(call.data, static_cast<size_t>(call.len));
        out.append(suffix);
        return release_write(call.done, HORNET_OK);
    }
    if (file) out.set_file_source(call.fd, call.offset, call.len, suffix);
    else out.set_source(call.data, call.len, suffix);
    rq_.source_active = true;
    rq_.source_done = call.done;
    c_.writer().kick();
}

// Puts the framing before the app's bytes into the buffer; false (the call
// released with the error) when the encoder refuses the write.
bool AsyncExchange::frame_write(const WriteCall& call, std::string_view& suffix, bool& file, const iovec*& data) {
    sdk::WireBuffers framed;
    int rc = HORNET_OK;
    sdk::ResponseEncoder& encoder = core_.parts().encoder;
    if (call.fd < 0) {
        rc = encoder.body(call.data, static_cast<size_t>(call.len), framed);
    } else {
        sdk::BodyFrame frame;
        rc = encoder.frame(call.len, frame);
        framed = frame.before;
        file = rc == HORNET_OK && frame.send_data && call.len != 0;
        if (file) suffix = frame.after;
        else framed.add(frame.after);
    }
    if (rc != HORNET_OK) {
        release_write(call.done, rc);
        return false;
    }
    for (const iovec& v : framed.iov()) {
        if (call.fd < 0 && call.len != 0 && v.iov_base == call.data) data = &v;
        else if (data) suffix = {static_cast<const char*>(v.iov_base), v.iov_len};
        else c_.writer().buffer().append(v.iov_base, v.iov_len);
    }
    return true;
}

// The call's bytes are in (or failed): its caller may go on.
void AsyncExchange::release_write(const Completion& c, ptrdiff_t result) {
    if (c.done) rq_.write_async_busy = false;
    complete(c, result);
    if (result == HORNET_OK) c_.writer().kick();
}

void AsyncExchange::on_source_taken(int error) {
    if (!rq_.source_active) return;
    rq_.source_active = false;
    const Completion c = std::exchange(rq_.source_done, Completion{});
    if (error < 0) core_.set_wire(sdk::Wire::broken); // the framing promised bytes that did not go out
    if (c.done) rq_.write_async_busy = false;
    complete(c, error < 0 ? HORNET_EIO : HORNET_OK);
    next_write();
}

void AsyncExchange::next_write() {
    while (!waiting_.empty() && !rq_.source_active) {
        const WriteCall call = waiting_.front();
        waiting_.pop_front();
        if (const int rc = core_.admit_write(); rc != HORNET_OK) {
            if (call.done.done) rq_.write_async_busy = false;
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
        if (call.done.done) rq_.write_async_busy = false;
        complete(call.done, error);
    }
}

void AsyncExchange::on_output_failed() {
    core_.set_wire(sdk::Wire::broken);
    if (rq_.source_active) on_source_taken(HORNET_EIO);
    fail_writes(HORNET_EIO);
}

// ---- finish -------------------------------------------------------------------------

int AsyncExchange::loop_finish(int error) {
    if (core_.finished()) return HORNET_ECLOSED;
    if (rq_.source_active || !waiting_.empty()) { // a write still in flight: its bytes will not all go
        core_.set_wire(sdk::Wire::closing);
        if (rq_.source_active) {
            c_.writer().buffer().discard();
            core_.set_wire(sdk::Wire::broken);
            c_.writer().set_broken();
            on_source_taken(HORNET_ECLOSED);
        }
        fail_writes(HORNET_ECLOSED);
    }
    int rc = HORNET_OK;
    try {
        const sdk::FinishPlan plan = core_.finish(error);
        c_.writer().append(plan.out);
        c_.writer().kick();
    } catch (...) {
        core_.set_wire(sdk::Wire::broken);
        rc = HORNET_EINTERNAL;
    }
    c_.timer().close();
    end_watch(0); // the client stayed
    if (read_.stage == Read::idle) continue_discard();
    maybe_done();
    return rc;
}

// ---- what the app left of the body -----------------------------------------------------

void AsyncExchange::continue_discard() {
    const std::span<char> space = next_discard();
    if (space.empty()) return;
    rq_.read_deadline_ms = worker_.now_ms() + worker_.timeouts().body_ms;
    c_.stream().async_read_some(asio::buffer(space.data(), space.size()),
                                [this](const boost::system::error_code& ec, size_t n) { on_discard_read(ec, n); });
}

// A timeout, EOF or a stop ends the drop: the connection closes.
void AsyncExchange::on_discard_read(const boost::system::error_code& ec, size_t n) {
    rq_.read_deadline_ms = 0;
    if (core_.discard_read_done(ec ? 0 : n)) continue_discard();
    else read_.stage = Read::idle;
    maybe_done();
}

void AsyncExchange::drain() {
    if (note_drain(rq_.active)) raw_cancel_.emit(asio::cancellation_type::terminal);
}

void AsyncExchange::cut() {
    if (!rq_.active) return;
    end_watch(HORNET_ECLOSED);
    core_.set_wire(sdk::Wire::broken);
    on_output_failed();
    c_.timer().close();
    maybe_done();
}

// ---- extensions ---------------------------------------------------------------------

int AsyncExchange::loop_timer_start(uint64_t ms, hornet_done_fn done, void* user_data) {
    if (c_.is_cut()) return HORNET_ECLOSED;
    return c_.timer().start(ms, done, user_data);
}

// ---- watch_peer (ABI 1.5) -------------------------------------------------------------

namespace {

// The peer shut its side or the connection failed; bytes waiting (a
// pipelined request) are no sign either way: POLLRDHUP sees past them.
bool peer_has_left(int fd) {
    pollfd p{fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

} // namespace

int AsyncExchange::watch_peer(hornet_done_fn done, void* user_data) {
    const Completion c{done, user_data, nullptr};
    return static_cast<int>(sdk::on_loop([this](auto task) { run_on_loop(std::move(task)); }, in_loop(), [&] {
        if (core_.finished()) return int{HORNET_ECLOSED};
        if (core_.upgraded()) return int{HORNET_EINVAL}; // its own reads tell (a WebSocket's close 1006)
        if (rq_.watch.done) return int{HORNET_EBUSY};
        rq_.watch = c;
        check_peer();
        return int{HORNET_OK};
    }));
}

// Checked now, then at every readable edge: the edge of an end that came
// before the wait was armed was consumed already, the poll sees it. Over
// TLS a close_notify counts as the end too (a client may send it and keep
// its TCP side open).
void AsyncExchange::check_peer() {
    if (!rq_.active || !rq_.watch.done) return;
    if (c_.is_cut() || peer_has_left(c_.socket().native_handle()) || c_.stream().peer_closed())
        return end_watch(HORNET_ECLOSED);
    c_.await_readable();
}

void AsyncExchange::end_watch(ptrdiff_t result) {
    if (!rq_.watch.done) return;
    complete(std::exchange(rq_.watch, Completion{}), result);
}

} // namespace hornet::async
