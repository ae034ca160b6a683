// One request on a blocking socket: body reads, response writes, PENDING.
#include "hornet/sdk/blocking_exchange.hpp"

#include <string_view>

#include "hornet/sdk/log.hpp"

namespace hornet::sdk {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr size_t kReadChunk = 16 * 1024;

int code_for_status(int status) { return status == 413 ? HORNET_ETOOBIG : HORNET_EIO; }

} // namespace

void BlockingExchange::run(const hornet_app_t* app, void* instance) {
    const int rc = call_app(app, instance);
    if (rc != HORNET_PENDING && !finished_.load()) {
        static std::atomic<bool> warned{false};
        if (rc != HORNET_DONE)
            logf(p_.host, HORNET_LOG_ERROR, "app %s: handle() returned %d; answering 500", p_.app_name, rc);
        else if (!warned.exchange(true))
            logf(p_.host, HORNET_LOG_WARNING,
                 "app %s: handle() returned DONE without calling finish(); finishing it (logged once)",
                 p_.app_name);
        finish(rc == HORNET_DONE ? 0 : HORNET_EINTERNAL);
    }
    // Also covers DONE: a finish() on another thread may still be running.
    queue_.run_until_finished([this](const AsyncTask& task) { return run_task(task); });
}

int BlockingExchange::call_app(const hornet_app_t* app, void* instance) {
    try {
        return app->handle(instance, handle(), exchange_ops());
    } catch (const std::exception& e) {
        logf(p_.host, HORNET_LOG_ERROR, "app %s: handle() threw: %s", p_.app_name, e.what());
    } catch (...) {
        logf(p_.host, HORNET_LOG_ERROR, "app %s: handle() threw", p_.app_name);
    }
    return HORNET_EINTERNAL;
}

ptrdiff_t BlockingExchange::run_task(const AsyncTask& task) {
    if (finished_.load()) return HORNET_ECLOSED;
    if (task.kind == AsyncTask::read) return read(task.buf, task.len);
    return write(task.data, task.len);
}

bool BlockingExchange::reusable() const {
    return finished_.load() && !broken_.load() && !reads_cut_.load() && p_.encoder.keep_alive() &&
           p_.parser.body_done();
}

bool BlockingExchange::unread_input() const { return !p_.parser.body_done() || !p_.input.empty(); }

// ---- request body ----------------------------------------------------------

ptrdiff_t BlockingExchange::read(void* buf, size_t cap) {
    if (finished_.load()) return HORNET_ECLOSED;
    if (int rc = read_error_.load()) return rc;
    if (p_.request.flags & HORNET_REQ_EXPECT_CONTINUE) {
        if (int rc = send_continue(); rc != HORNET_OK) return rc;
    }
    return read_body(buf, cap);
}

ptrdiff_t BlockingExchange::read_body(void* buf, size_t cap) {
    for (;;) {
        BodyResult r = p_.parser.parse_body(p_.input.data(), {static_cast<char*>(buf), cap});
        p_.input.consume(r.consumed);
        if (r.status == ParseStatus::error) {
            client_error_ = r.http_status;
            read_error_ = code_for_status(r.http_status);
            return read_error_;
        }
        if (r.produced > 0) return static_cast<ptrdiff_t>(r.produced);
        if (r.status == ParseStatus::done) return 0;
        if (ptrdiff_t rc = fill_input(); rc < 0) return rc;
    }
}

ptrdiff_t BlockingExchange::fill_input() {
    std::span<char> space = p_.input.prepare(kReadChunk);
    if (space.empty()) { // a chunk-size line longer than the whole buffer
        client_error_ = 400;
        read_error_ = HORNET_EIO;
        return HORNET_EIO;
    }
    Deadline deadline(p_.body_timeout_ms);
    IoResult io = p_.socket.read_some(space, deadline);
    if (!io) return read_failed(io.error);
    p_.input.commit(io.bytes);
    return 0;
}

ptrdiff_t BlockingExchange::read_failed(IoError error) {
    int rc = HORNET_EIO;
    if (error == IoError::timeout) client_error_ = 408;
    if (error == IoError::eof) {
        client_error_ = 400; // a truncated body; the client may still read an answer
        rc = HORNET_ECLOSED;
    }
    if (error == IoError::stopped || error == IoError::failed) {
        broken_ = true;
        rc = error == IoError::stopped ? HORNET_ECLOSED : HORNET_EIO;
    }
    read_error_ = rc;
    return rc;
}

// Sent on the first read only, so a client that waits for it sends the body
// only to an app that wants it.
int BlockingExchange::send_continue() {
    std::lock_guard lock(out_mu_);
    if (continue_sent_ || p_.encoder.head_sent() || p_.parser.body_done()) return HORNET_OK;
    continue_sent_ = true;
    WireBuffers out;
    out.add(kContinue);
    return flush(out);
}

int BlockingExchange::read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) {
    if (finished_.load()) return HORNET_ECLOSED;
    return queue_.push({AsyncTask::read, buf, nullptr, cap, done, user_data});
}

// ---- response --------------------------------------------------------------

int BlockingExchange::start(int status, const hornet_header_t* headers, size_t count) {
    std::lock_guard lock(out_mu_);
    if (finished_.load()) return HORNET_ECLOSED;
    if (head_refused_ || p_.encoder.started()) return HORNET_EINVAL;
    if (p_.keep_alive && !p_.keep_alive(p_.owner)) p_.encoder.refuse_keep_alive(); // a stop came meanwhile
    const int rc = p_.encoder.start(status, {headers, count});
    if (rc == HORNET_OK) return rc;
    head_refused_ = true;
    logf(p_.host, HORNET_LOG_ERROR, "app %s: %s; answering 500 instead", p_.app_name,
         p_.encoder.head().error().c_str());
    return rc;
}

int BlockingExchange::write(const void* data, size_t len) {
    std::lock_guard lock(out_mu_);
    if (finished_.load()) return HORNET_ECLOSED;
    if (broken_.load()) return HORNET_EIO;
    if (head_refused_) return HORNET_EINVAL;
    WireBuffers out;
    if (int rc = p_.encoder.body(data, len, out); rc != HORNET_OK) return rc;
    return flush(out, p_.encoder.ends_connection());
}

int BlockingExchange::write_async(const void* data, size_t len, hornet_done_fn done, void* user_data) {
    if (finished_.load()) return HORNET_ECLOSED;
    return queue_.push({AsyncTask::write, nullptr, data, len, done, user_data});
}

int BlockingExchange::sendfile(int fd, uint64_t offset, uint64_t len) {
    std::lock_guard lock(out_mu_);
    if (finished_.load()) return HORNET_ECLOSED;
    if (broken_.load()) return HORNET_EIO;
    if (head_refused_) return HORNET_EINVAL;
    BodyFrame frame;
    if (int rc = p_.encoder.frame(len, frame); rc != HORNET_OK) return rc;
    if (int rc = flush(frame.before); rc != HORNET_OK) return rc;
    if (frame.send_data && len != 0) {
        Deadline deadline(p_.write_timeout_ms);
        IoResult r = p_.socket.send_file(fd, offset, len, deadline);
        if (!r) {
            broken_ = true; // the framing promised bytes that did not go out
            return HORNET_EIO;
        }
    }
    WireBuffers after;
    after.add(frame.after);
    return flush(after, p_.encoder.ends_connection());
}

int BlockingExchange::flush(const WireBuffers& out, bool last) {
    if (out.empty() && !last) return HORNET_OK;
    Deadline deadline(p_.write_timeout_ms);
    IoResult r = p_.socket.write_all(out.iov(), deadline, last);
    if (r) return HORNET_OK;
    broken_ = true;
    return r.error == IoError::eof ? HORNET_ECLOSED : HORNET_EIO;
}

int BlockingExchange::finish(int error) {
    int rc = HORNET_OK;
    {
        std::lock_guard lock(out_mu_);
        if (finished_.load()) return HORNET_ECLOSED;
        try {
            rc = finish_locked(error);
        } catch (...) { // still end the exchange, or the handler waits forever
            broken_ = true;
            rc = HORNET_EINTERNAL;
        }
        finished_ = true;
    }
    // A read_async still waiting on the client would hold the handler (up to
    // the body timeout) after the response is complete: cut it short.
    if (queue_.busy(AsyncTask::read)) {
        reads_cut_ = true;
        p_.socket.interrupt_reads();
    }
    queue_.mark_finished(); // the last touch: the handler may now destroy *this
    return rc;
}

int BlockingExchange::finish_locked(int error) {
    if (broken_.load()) return HORNET_OK;
    if (error == 0 && !head_refused_) {
        WireBuffers out;
        p_.encoder.finish(out);
        const int rc = flush(out, p_.encoder.ends_connection());
        if (!p_.encoder.complete())
            logf(p_.host, HORNET_LOG_WARNING,
                 "app %s: response body shorter than its Content-Length; closing the connection",
                 p_.app_name);
        return rc;
    }
    // Mid-body, only closing the connection tells the client it is cut short.
    if (p_.encoder.head_sent()) {
        broken_ = true;
        return HORNET_OK;
    }
    const int client = client_error_.load();
    return answer_error(head_refused_ || client == 0 ? 500 : client);
}

int BlockingExchange::answer_error(int status) {
    WireBuffers out;
    p_.encoder.error_response(status, out);
    return flush(out, true); // an error response always ends the connection
}

} // namespace hornet::sdk
