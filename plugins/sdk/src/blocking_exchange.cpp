// One request on a blocking socket: the core's decisions, carried out with
// bounded blocking I/O.
#include "hornet/sdk/blocking_exchange.hpp"

namespace hornet::sdk {

void BlockingExchange::run(const hornet_app_t* app, void* instance) {
    const int rc = core_.call_app(app, instance, handle());
    std::optional<int> owed;
    {
        std::lock_guard lock(mu_);
        if (!core_.finished()) owed = core_.finish_owed(rc);
    }
    if (owed) finish(*owed);
    // Also after DONE: a finish() on another thread may still be running.
    queue_.run_until_finished([this](const AsyncTask& task) { return run_task(task); });
    discard_rest();
}

// What the app left of the body, read and dropped while the connection may
// carry another request; a failed read leaves the core unwilling.
void BlockingExchange::discard_rest() {
    for (;;) {
        ReadStep step;
        {
            std::lock_guard lock(mu_);
            if (!core_.wants_discard()) return;
            step = core_.discard_step();
        }
        if (!step.need_input || fill_input() < 0) return;
    }
}

ptrdiff_t BlockingExchange::run_task(const AsyncTask& task) {
    if (task.kind == AsyncTask::call) return 0;
    if (task.kind == AsyncTask::read) return read(task.buf, task.len);
    return write(task.data, task.len);
}

// ---- request body ----------------------------------------------------------

ptrdiff_t BlockingExchange::read(void* buf, size_t cap) {
    {
        std::lock_guard lock(mu_);
        if (int rc = core_.may_read(); rc != HORNET_OK) return rc;
    }
    if (int rc = send_continue(); rc != HORNET_OK) return rc;
    for (;;) {
        ReadStep step;
        {
            std::lock_guard lock(mu_);
            step = core_.read_step(buf, cap);
        }
        if (!step.need_input) return step.result;
        if (ptrdiff_t rc = fill_input(); rc < 0) return rc;
    }
}

// The socket read runs without the lock: a PENDING app's finish() from
// another thread must not wait for a slow client.
ptrdiff_t BlockingExchange::fill_input() {
    std::span<char> space;
    bool raw = false;
    {
        std::lock_guard lock(mu_);
        space = core_.input_space();
        if (space.empty()) return core_.may_read();
        raw = core_.upgraded();
    }
    const uint32_t raw_ms = raw_wait_ms_.load();
    Deadline deadline(!raw ? io_.body_timeout_ms : raw_ms != 0 ? raw_ms : UINT32_MAX);
    const IoResult r = io_.socket.read_some(space, deadline, raw && raw_stop_ends_wait_.load());
    // A graceful stop ends one raw wait (HORNET_ESHUTDOWN), not every one after.
    if (raw && r.error == IoError::stopped) raw_stop_ends_wait_.store(false);
    std::lock_guard lock(mu_);
    if (!r) return core_.read_failed(r.error);
    core_.parts().input.commit(r.bytes);
    return 0;
}

int BlockingExchange::send_continue() {
    std::lock_guard lock(mu_);
    if (!core_.take_continue()) return HORNET_OK;
    WireBuffers out;
    out.add(kContinue);
    return flush(out);
}

int BlockingExchange::read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) {
    return queue_.push({AsyncTask::read, buf, nullptr, cap, done, user_data});
}

// ---- response --------------------------------------------------------------

int BlockingExchange::start(int status, const hornet_header_t* headers, size_t count) {
    std::lock_guard lock(mu_);
    const bool keep_going = !io_.keep_alive || io_.keep_alive(io_.owner);
    return core_.start(status, headers, count, keep_going);
}

int BlockingExchange::trailers(const hornet_header_t* fields, size_t count) {
    std::lock_guard lock(mu_);
    return core_.trailers(fields, count);
}

int BlockingExchange::write(const void* data, size_t len) {
    std::lock_guard lock(mu_);
    if (int rc = core_.admit_write(); rc != HORNET_OK) return rc;
    WireBuffers out;
    if (int rc = core_.parts().encoder.body(data, len, out); rc != HORNET_OK) return rc;
    return flush(out, core_.parts().encoder.ends_connection());
}

int BlockingExchange::upgrade(const hornet_header_t* headers, size_t count) {
    std::lock_guard lock(mu_);
    WireBuffers out;
    if (const int rc = core_.upgrade(headers, count, out); rc != HORNET_OK) return rc;
    return flush(out);
}

void BlockingExchange::set_raw_wait(uint32_t timeout_ms, bool stop_ends_wait) {
    raw_wait_ms_.store(timeout_ms);
    raw_stop_ends_wait_.store(stop_ends_wait);
}

int BlockingExchange::defer(hornet_done_fn fn, void* user_data) {
    return queue_.push({AsyncTask::call, nullptr, nullptr, 0, fn, user_data});
}

int BlockingExchange::write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) {
    return queue_.push({AsyncTask::write, nullptr, data, len, done, user_data});
}

int BlockingExchange::sendfile(int fd, uint64_t offset, uint64_t len) {
    std::lock_guard lock(mu_);
    if (int rc = core_.admit_write(); rc != HORNET_OK) return rc;
    ResponseEncoder& encoder = core_.parts().encoder;
    BodyFrame frame;
    if (int rc = encoder.frame(len, frame); rc != HORNET_OK) return rc;
    if (int rc = flush(frame.before); rc != HORNET_OK) return rc;
    if (frame.send_data && len != 0) {
        Deadline deadline(io_.write_timeout_ms);
        if (!io_.socket.send_file(fd, offset, len, deadline)) {
            core_.set_wire(Wire::broken); // the framing promised bytes that did not go out
            return HORNET_EIO;
        }
    }
    WireBuffers after;
    after.add(frame.after);
    return flush(after, encoder.ends_connection());
}

int BlockingExchange::flush(const WireBuffers& out, bool last) {
    if (out.empty() && !last) return HORNET_OK;
    Deadline deadline(io_.write_timeout_ms);
    const IoResult r = io_.socket.write_all(out.iov(), deadline, last);
    if (r) return HORNET_OK;
    core_.set_wire(Wire::broken);
    return r.error == IoError::eof ? HORNET_ECLOSED : HORNET_EIO;
}

int BlockingExchange::finish(int error) {
    int rc = HORNET_OK;
    {
        std::lock_guard lock(mu_);
        if (core_.finished()) return HORNET_ECLOSED;
        try {
            const FinishPlan plan = core_.finish(error);
            rc = flush(plan.out, plan.last);
        } catch (...) { // still end the exchange, or the serving thread waits forever
            core_.set_wire(Wire::broken);
            rc = HORNET_EINTERNAL;
        }
        // A read_async still waiting on the client would hold the serving
        // thread (up to the body timeout) after the response is complete:
        // cut it short.
        if (queue_.busy(AsyncTask::read)) {
            core_.set_wire(Wire::closing);
            io_.socket.interrupt_reads();
        }
    }
    queue_.mark_finished(); // the last touch: the serving thread may now destroy *this
    return rc;
}

} // namespace hornet::sdk
