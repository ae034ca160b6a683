// The transport-independent rules of one exchange (see exchange_core.hpp).
#include "hornet/sdk/exchange_core.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>

#include "hornet/sdk/exchange.hpp"
#include "hornet/support/log.hpp"

namespace hornet::sdk {
namespace {

int code_for_status(int status) { return status == 413 ? HORNET_ETOOBIG : HORNET_EIO; }

} // namespace

// ---- the app ------------------------------------------------------------------

int ExchangeCore::call_app(const hornet_app_t* app, void* instance, hornet_exchange_t* x) const {
    try {
        return app->handle(instance, x, exchange_ops());
    } catch (const std::exception& e) {
        support::logf(p_.host, HORNET_LOG_ERROR, "app %s: handle() threw: %s", p_.app_name, e.what());
    } catch (...) {
        support::logf(p_.host, HORNET_LOG_ERROR, "app %s: handle() threw", p_.app_name);
    }
    return HORNET_EINTERNAL;
}

std::optional<int> ExchangeCore::finish_owed(int rc) const {
    if (rc == HORNET_PENDING) return std::nullopt;
    if (rc != HORNET_DONE) {
        support::logf(p_.host, HORNET_LOG_ERROR, "app %s: handle() returned %d; answering 500", p_.app_name, rc);
        return HORNET_EINTERNAL;
    }
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true))
        support::logf(p_.host, HORNET_LOG_WARNING,
             "app %s: handle() returned DONE without calling finish(); finishing it (logged once)", p_.app_name);
    return 0;
}

// ---- the response ---------------------------------------------------------------

int ExchangeCore::start(int status, const hornet_header_t* headers, size_t count, bool keep_going) {
    if (s_.finished) return HORNET_ECLOSED;
    if (s_.head_refused || p_.encoder.started()) return HORNET_EINVAL;
    if (!keep_going) p_.encoder.refuse_keep_alive(); // a stop came while the app ran
    const int rc = p_.encoder.start(status, {headers, count});
    if (rc == HORNET_OK) return rc;
    s_.head_refused = true;
    support::logf(p_.host, HORNET_LOG_ERROR, "app %s: %s; answering 500 instead", p_.app_name,
         p_.encoder.head().error().c_str());
    return rc;
}

int ExchangeCore::admit_write() {
    if (s_.finished) return HORNET_ECLOSED;
    if (s_.wire == Wire::broken) return HORNET_EIO;
    if (s_.head_refused) return HORNET_EINVAL;
    settle_head();
    return HORNET_OK;
}

int ExchangeCore::trailers(const hornet_header_t* fields, size_t count) {
    if (s_.finished) return HORNET_ECLOSED;
    if (s_.head_refused || !p_.encoder.started()) return HORNET_EINVAL;
    const int rc = p_.encoder.trailers({fields, count});
    if (rc != HORNET_OK)
        support::logf(p_.host, HORNET_LOG_ERROR, "app %s: %s; those trailers are not sent", p_.app_name,
                      p_.encoder.trailer_error().c_str());
    return rc;
}

// Known before the head leaves: a body too large to drop, a client that
// waits for a 100 Continue it will not get, or a connection already
// closing. A head that has left cannot take it back: such a connection
// closes all the same (discard_step, reusable).
void ExchangeCore::settle_head() {
    const ResponseEncoder& e = p_.encoder;
    if (!e.started() || e.head_sent() || !e.head().keep_alive()) return;
    const std::optional<uint64_t> left = p_.parser.body_left();
    const bool too_much = left && *left > p_.max_discard;
    if (too_much || client_awaits_continue() || s_.wire != Wire::sound) p_.encoder.close_connection();
}

bool ExchangeCore::client_awaits_continue() const {
    return (p_.request.flags & HORNET_REQ_EXPECT_CONTINUE) && !s_.continue_sent && !p_.parser.body_done();
}

// The rest of a good response; mid-body after an error only a close tells
// the client the body is cut short; before the head, an error response (the
// client's own error when its body was at fault).
FinishPlan ExchangeCore::finish(int error) {
    s_.finished = true;
    FinishPlan plan;
    if (s_.wire == Wire::broken) return plan;
    if (error == 0 && !s_.head_refused) {
        settle_head();
        p_.encoder.finish(plan.out);
        plan.last = p_.encoder.ends_connection();
        if (!p_.encoder.complete())
            support::logf(p_.host, HORNET_LOG_WARNING,
                 "app %s: response body shorter than its Content-Length; closing the connection", p_.app_name);
        return plan;
    }
    if (p_.encoder.head_sent()) {
        set_wire(Wire::closing);
        return plan;
    }
    p_.encoder.error_response(s_.head_refused || s_.client_error == 0 ? 500 : s_.client_error, plan.out);
    plan.last = true; // an error response always ends the connection
    return plan;
}

// ---- an upgrade ----------------------------------------------------------------------

int ExchangeCore::upgrade(const hornet_header_t* headers, size_t count, WireBuffers& out) {
    if (s_.finished) return HORNET_ECLOSED;
    const char* why = nullptr;
    if (s_.head_refused || p_.encoder.started()) why = "a response was already started";
    else if (p_.request.version < 11) why = "the request is HTTP/1.0";
    else if (!p_.parser.body_done()) why = "the request has a body"; // bytes behind the head are the stream's
    if (why) {
        support::logf(p_.host, HORNET_LOG_WARNING, "app %s: cannot upgrade the connection: %s", p_.app_name, why);
        return HORNET_EINVAL;
    }
    if (p_.encoder.start_upgrade({headers, count}) != HORNET_OK) {
        support::logf(p_.host, HORNET_LOG_ERROR, "app %s: %s; not upgrading", p_.app_name,
                      p_.encoder.head().error().c_str());
        return HORNET_EINVAL;
    }
    s_.upgraded = true; // the head says no keep-alive: never reusable()
    return p_.encoder.body(nullptr, 0, out);
}

ReadStep ExchangeCore::raw_read_step(void* buf, size_t cap) {
    if (s_.raw_eof) return {0, false};
    const std::span<const char> in = p_.input.data();
    if (in.empty()) return {0, true};
    const size_t n = std::min(cap, in.size());
    std::memcpy(buf, in.data(), n);
    p_.input.consume(n);
    p_.parser.count_raw(n);
    return {static_cast<ptrdiff_t>(n), false};
}

ptrdiff_t ExchangeCore::raw_read_failed(IoError error) {
    switch (error) {
    case IoError::eof: s_.raw_eof = true; return 0;
    case IoError::timeout: return HORNET_ETIMEDOUT;
    case IoError::stopped: return HORNET_ESHUTDOWN;
    default: break;
    }
    set_wire(Wire::broken);
    s_.read_error = HORNET_EIO;
    return HORNET_EIO;
}

// ---- the request body -------------------------------------------------------------

int ExchangeCore::may_read() const {
    if (s_.finished) return HORNET_ECLOSED;
    if (s_.read_error != 0) return s_.read_error;
    if (s_.wire == Wire::broken) return HORNET_ECLOSED;
    return HORNET_OK;
}

// Sent on the first read only, so a client that waits for it sends the body
// only to an app that wants it.
bool ExchangeCore::take_continue() {
    if (!(p_.request.flags & HORNET_REQ_EXPECT_CONTINUE) || s_.continue_sent) return false;
    if (p_.encoder.head_sent() || p_.parser.body_done() || s_.wire == Wire::broken) return false;
    s_.continue_sent = true;
    return true;
}

// De-chunks what is buffered; framing alone (a chunk line, a trailer) is
// parsed on, so only a step that consumed nothing asks for input.
ReadStep ExchangeCore::read_step(void* buf, size_t cap) {
    if (s_.upgraded) return raw_read_step(buf, cap);
    for (;;) {
        const BodyResult r = p_.parser.parse_body(p_.input.data(), {static_cast<char*>(buf), cap});
        p_.input.consume(r.consumed);
        if (r.status == ParseStatus::error) return {fail_body(r.http_status), false};
        if (r.produced > 0) return {static_cast<ptrdiff_t>(r.produced), false};
        if (r.status == ParseStatus::done) return {0, false};
        if (r.consumed == 0) return {0, true};
    }
}

std::span<char> ExchangeCore::input_space() {
    const std::span<char> space = p_.input.prepare(kReadChunk);
    if (space.empty()) fail_body(400); // a chunk-size line longer than the whole buffer
    return space;
}

ptrdiff_t ExchangeCore::fail_body(int http_status) {
    s_.client_error = http_status;
    s_.read_error = code_for_status(http_status);
    return s_.read_error;
}

std::optional<ptrdiff_t> ExchangeCore::body_read_done(size_t n, IoError failure) {
    const bool cut_short = s_.finished || s_.wire != Wire::sound; // finish() or a stop
    if (n > 0 && !cut_short) {
        p_.input.commit(n);
        return std::nullopt;
    }
    if (failure != IoError::stopped && cut_short) return HORNET_ECLOSED;
    return read_failed(failure);
}

ptrdiff_t ExchangeCore::raw_direct_done(size_t n, IoError failure) {
    if (n == 0 || s_.finished) return *body_read_done(0, failure);
    took_raw(n);
    return static_cast<ptrdiff_t>(n);
}

bool ExchangeCore::discard_read_done(size_t n) {
    if (n > 0 && s_.wire == Wire::sound) {
        p_.input.commit(n);
        return true;
    }
    set_wire(Wire::closing);
    return false;
}

ptrdiff_t ExchangeCore::read_failed(IoError error) {
    if (s_.upgraded) return raw_read_failed(error);
    int rc = HORNET_EIO;
    if (error == IoError::timeout) s_.client_error = 408;
    if (error == IoError::eof) {
        s_.client_error = 400; // a truncated body; the client may still read an answer
        rc = HORNET_ECLOSED;
    }
    if (error == IoError::stopped || error == IoError::failed) {
        set_wire(Wire::broken);
        if (error == IoError::stopped) rc = HORNET_ECLOSED;
    }
    s_.read_error = rc;
    return rc;
}

// ---- what the app left of the body ----------------------------------------------------

bool ExchangeCore::wants_discard() const {
    if (!s_.finished || s_.wire != Wire::sound || !p_.encoder.keep_alive() || p_.parser.body_done()) return false;
    return !client_awaits_continue() && s_.read_error == 0;
}

// Into a sink nobody reads: only the framing matters.
ReadStep ExchangeCore::discard_step() {
    thread_local char sink[kReadChunk];
    for (;;) {
        const BodyResult r = p_.parser.parse_body(p_.input.data(), {sink, sizeof sink});
        p_.input.consume(r.consumed);
        s_.discarded += r.produced;
        if (r.status == ParseStatus::error || s_.discarded > p_.max_discard) {
            set_wire(Wire::closing);
            return {HORNET_ETOOBIG, false};
        }
        if (r.status == ParseStatus::done) return {0, false};
        if (r.consumed == 0) return {0, true};
    }
}

// ---- the connection -----------------------------------------------------------------

bool ExchangeCore::reusable() const {
    return s_.finished && s_.wire == Wire::sound && p_.encoder.keep_alive() && p_.parser.body_done();
}

} // namespace hornet::sdk
