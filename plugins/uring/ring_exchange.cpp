// One request of a uring connection for a ring app: the core's decisions,
// carried out with the connection's ring operations.
#include "ring_exchange.hpp"

#include <cerrno>
#include <string>
#include <utility>

#include "connection.hpp"
#include "hornet/sdk/io.hpp"
#include "uring_worker.hpp"

namespace hornet::uring {

RingExchange::RingExchange(UringWorker& worker, Connection& c, const sdk::ExchangeParts& parts)
    : LoopExchange(parts), worker_(worker), c_(c) {}

bool RingExchange::in_loop() const { return worker_.in_ring_thread(); }
bool RingExchange::keep_going() const { return worker_.keep_going(); }
void RingExchange::run_on_loop(Task task) { worker_.mailbox().post(std::move(task)); }

// Deferred on the ring thread (run before the ring waits again), posted
// from any other: never inside the call that started the op.
void RingExchange::schedule(hornet_done_fn fn, void* user_data, ptrdiff_t result) {
    auto run = [this, fn, user_data, result] { run_scheduled(fn, user_data, result); };
    if (in_loop()) worker_.mailbox().defer(std::move(run));
    else worker_.mailbox().post(std::move(run));
}

void RingExchange::send_now(const sdk::WireBuffers& out) {
    c_.append(out);
    c_.flush();
}

// ---- running the app ----------------------------------------------------------------

void RingExchange::run(const sdk::AppRoute& route) {
    begin_request();
    rq_ = {};
    rq_.active = true;
    const int rc = core_.call_app(route.app, route.instance, handle());
    rq_.handle_returned = true;
    finish_if_owed(rc);
    maybe_done();
}

bool RingExchange::done() const {
    if (!rq_.active || !rq_.handle_returned || !core_.finished()) return false;
    if (callbacks_pending() || read_.stage != Read::idle || !drain_waiters_.empty()) return false;
    return !c_.timer_busy() && c_.output_settled();
}

void RingExchange::maybe_done() {
    // A read still waiting on the client after the answer is out: cut it
    // short (the connection cannot carry another request then).
    if (core_.finished() && read_.stage == Read::socket && c_.output_settled()) {
        core_.set_wire(sdk::Wire::closing);
        c_.cancel_recv();
    }
    if (!done()) return;
    rq_.handle_returned = false; // report once
    c_.exchange_done(core_.reusable(), core_.unread_input());
}

// ---- request body -------------------------------------------------------------------

void RingExchange::continue_read() {
    const sdk::ReadStep step = core_.read_step(read_.buf, read_.cap);
    if (!step.need_input) return end_read(step.result);
    if (stop_before_raw_read(worker_.draining())) return end_read(HORNET_ESHUTDOWN);
    read_.stage = Read::socket;
    if (core_.upgraded()) { // nothing buffered: straight into the app's buffer
        rq_.raw_direct = true;
        return c_.recv_body({static_cast<char*>(read_.buf), read_.cap}, false);
    }
    const std::span<char> space = core_.input_space();
    if (space.empty()) return end_read(core_.may_read());
    c_.recv_body(space, true);
}

void RingExchange::on_body_read(int res) {
    const size_t n = res > 0 ? static_cast<size_t>(res) : 0;
    if (read_.stage == Read::discard) {
        if (core_.discard_read_done(n)) continue_discard();
        else read_.stage = Read::idle;
        return maybe_done();
    }
    const sdk::IoError failure = sdk::read_failure(c_.is_cut(), c_.body_timed_out(), res == 0);
    if (std::exchange(rq_.raw_direct, false)) {
        if (stop_notice_due(res == -ECANCELED, c_.is_cut())) return end_read_now(HORNET_ESHUTDOWN);
        return end_read_now(core_.raw_direct_done(n, failure));
    }
    read_.stage = Read::parsing;
    const auto result = core_.body_read_done(n, failure);
    if (!result) return continue_read();
    end_read(*result);
}

// ---- response -----------------------------------------------------------------------

int RingExchange::append_body(const void* data, size_t len) {
    if (const int rc = core_.admit_write(); rc != HORNET_OK) return rc;
    sdk::WireBuffers out;
    if (const int rc = core_.parts().encoder.body(data, len, out); rc != HORNET_OK) return rc;
    c_.append(out);
    c_.flush();
    return HORNET_OK;
}

int RingExchange::write(const void* data, size_t len) {
    if (in_loop()) {
        if (c_.output_size() + len > kHighWater) return HORNET_EWOULDBLOCK; // nothing taken
        return append_body(data, len);
    }
    return static_cast<int>(wait_for_ring(worker_.mailbox(), [&](const Completion& w) {
        if (const int rc = append_body(data, len); rc != HORNET_OK) return w.waiter->complete(rc);
        when_drained(w);
    }));
}

int RingExchange::write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) {
    const Completion c{done, user_data, nullptr};
    return static_cast<int>(on_ring(worker_.mailbox(), in_loop(), [&]() -> ptrdiff_t {
        if (rq_.write_async_busy) return HORNET_EBUSY;
        if (const int rc = append_body(data, len); rc != HORNET_OK) return rc;
        rq_.write_async_busy = true;
        when_drained(c);
        return HORNET_OK;
    }));
}

// The caller may go on once the output is below half the mark (at once if
// it is already).
void RingExchange::when_drained(const Completion& c) {
    drain_waiters_.push_back(c);
    release_drained();
}

void RingExchange::release_drained() {
    const bool room = c_.output_broken() || c_.output_size() <= kHighWater / 2;
    while (room && !drain_waiters_.empty()) {
        const Completion c = drain_waiters_.front();
        drain_waiters_.pop_front();
        if (c.done) rq_.write_async_busy = false;
        complete(c, c_.output_broken() ? HORNET_EIO : HORNET_OK);
    }
}

void RingExchange::on_output() {
    if (c_.output_broken()) core_.set_wire(sdk::Wire::broken);
    release_drained();
    maybe_done();
}

int RingExchange::append_raw(const void* data, size_t len) {
    if (core_.finished()) return HORNET_ECLOSED;
    if (c_.output_broken()) return HORNET_EIO;
    c_.append(std::string_view(static_cast<const char*>(data), len));
    c_.flush();
    return HORNET_OK;
}

// The framing around a file's bytes; the bytes themselves follow raw.
int RingExchange::frame_file(uint64_t len, bool& send_data, std::string& after) {
    if (const int rc = core_.admit_write(); rc != HORNET_OK) return rc;
    sdk::BodyFrame frame;
    if (const int rc = core_.parts().encoder.frame(len, frame); rc != HORNET_OK) return rc;
    c_.append(frame.before);
    send_data = frame.send_data && len != 0;
    after.assign(frame.after);
    if (!send_data) {
        c_.append(after);
        after.clear();
    }
    c_.flush();
    return HORNET_OK;
}

// [not the ring] The head and framing go into the output; the ring then
// splices the file to the socket after them (Connection::send_file) while
// the caller waits; the framing's tail follows.
int RingExchange::sendfile(int fd, uint64_t offset, uint64_t len) {
    if (in_loop()) return HORNET_EWOULDBLOCK;
    bool send_data = false;
    std::string after;
    int rc = static_cast<int>(on_ring(worker_.mailbox(), false, [&]() -> ptrdiff_t {
        return frame_file(len, send_data, after);
    }));
    if (rc != HORNET_OK || !send_data) return rc;
    rc = static_cast<int>(wait_for_ring(worker_.mailbox(), [&](const Completion& w) {
        if (core_.finished() || c_.output_broken()) return w.waiter->complete(HORNET_EIO);
        c_.send_file(fd, offset, len, [this, w](bool ok) {
            if (!ok) core_.set_wire(sdk::Wire::broken); // the framing promised bytes that did not go
            w.waiter->complete(ok ? HORNET_OK : HORNET_EIO);
        });
    }));
    if (rc != HORNET_OK) return rc;
    return static_cast<int>(on_ring(worker_.mailbox(), false, [&]() -> ptrdiff_t {
        return append_raw(after.data(), after.size());
    }));
}

// ---- finish -------------------------------------------------------------------------

int RingExchange::loop_finish(int error) {
    if (core_.finished()) return HORNET_ECLOSED;
    int rc = HORNET_OK;
    try {
        const sdk::FinishPlan plan = core_.finish(error);
        c_.append(plan.out);
        if (plan.last) c_.close_after_output();
        c_.flush();
    } catch (...) {
        core_.set_wire(sdk::Wire::broken);
        rc = HORNET_EINTERNAL;
    }
    c_.timer_close();
    if (read_.stage == Read::idle) continue_discard();
    release_drained();
    maybe_done();
    return rc;
}

// ---- what the app left of the body ----------------------------------------------------

void RingExchange::continue_discard() {
    const std::span<char> space = next_discard();
    if (!space.empty()) c_.recv_body(space, true);
}

void RingExchange::drain() {
    if (note_drain(rq_.active)) c_.cancel_recv(); // the read in flight says it
}

void RingExchange::cut() {
    if (!rq_.active) return;
    core_.set_wire(sdk::Wire::broken);
    release_drained();
    c_.timer_close();
    maybe_done();
}

// ---- extensions -----------------------------------------------------------------------

int RingExchange::loop_timer_start(uint64_t ms, hornet_done_fn done, void* user_data) {
    return c_.timer_start(ms, done, user_data);
}

} // namespace hornet::uring
