// A loop exchange's ops: reaching the loop, one read at a time, callbacks
// later and counted.
#include "hornet/sdk/loop_exchange.hpp"

#include "hornet/sdk/io.hpp"

namespace hornet::sdk {

void LoopExchange::begin_request() {
    drop_websocket(); // the last request's, if it was one
    core_.begin();
    read_ = {};
    stop_notice_ = StopNotice::none;
    finish_called_.store(false);
}

// ---- a graceful stop's drain ------------------------------------------------------------

bool LoopExchange::note_drain(bool active) {
    going_away(); // a WebSocket: close 1001
    if (!active || !core_.upgraded() || websocket() || stop_notice_ != StopNotice::none) return false;
    stop_notice_ = StopNotice::owed;
    return read_.stage == BodyRead::Stage::socket;
}

bool LoopExchange::stop_before_raw_read(bool draining) {
    if (!core_.upgraded()) return false;
    if (stop_notice_ == StopNotice::none && !websocket() && draining)
        stop_notice_ = StopNotice::owed; // upgraded after the drain began
    if (stop_notice_ != StopNotice::owed) return false;
    stop_notice_ = StopNotice::given;
    return true;
}

bool LoopExchange::stop_notice_due(bool cancelled, bool cut) {
    if (!cancelled || cut || stop_notice_ != StopNotice::owed) return false;
    stop_notice_ = StopNotice::given;
    return true;
}

void LoopExchange::finish_if_owed(int rc) {
    if (rc != HORNET_PENDING && !finish_called_.exchange(true)) loop_finish(core_.finish_owed(rc).value_or(0));
}

void LoopExchange::complete(const Completion& c, ptrdiff_t result) {
    if (c.waiter) return c.waiter->complete(result);
    if (!c.done) return;
    pending_.fetch_add(1);
    schedule(c.done, c.user_data, result);
}

void LoopExchange::run_scheduled(hornet_done_fn fn, void* user_data, ptrdiff_t result) {
    fn(user_data, result);
    pending_.fetch_sub(1);
    maybe_done();
}

int LoopExchange::post(hornet_done_fn fn, void* user_data) {
    pending_.fetch_add(1);
    schedule(fn, user_data, 0);
    return HORNET_OK;
}

// ---- the request body ---------------------------------------------------------------

ptrdiff_t LoopExchange::read(void* buf, size_t cap) {
    if (in_loop()) return HORNET_EWOULDBLOCK;
    return wait_for_loop([this](auto task) { run_on_loop(std::move(task)); }, [&](const Completion& c) {
        if (read_.stage != BodyRead::Stage::idle) return complete(c, HORNET_EBUSY);
        start_read(buf, cap, c);
    });
}

int LoopExchange::read_async(void* buf, size_t cap, hornet_done_fn done, void* user_data) {
    const Completion c{done, user_data, nullptr};
    return static_cast<int>(now_on_loop([&]() -> ptrdiff_t {
        if (core_.finished()) return HORNET_ECLOSED;
        if (read_.stage != BodyRead::Stage::idle) return HORNET_EBUSY;
        start_read(buf, cap, c);
        return HORNET_OK;
    }));
}

void LoopExchange::start_read(void* buf, size_t cap, const Completion& c) {
    if (const int rc = core_.may_read(); rc != HORNET_OK) return complete(c, rc);
    read_.begin(buf, cap, c);
    if (core_.take_continue()) {
        WireBuffers out;
        out.add(kContinue);
        send_now(out);
    }
    continue_read();
}

std::span<char> LoopExchange::next_discard() {
    read_.stage = BodyRead::Stage::idle;
    if (!core_.wants_discard()) return {};
    const ReadStep step = core_.discard_step();
    if (!step.need_input) return {};
    const std::span<char> space = core_.input_space();
    if (space.empty()) {
        core_.set_wire(Wire::closing);
        return {};
    }
    read_.stage = BodyRead::Stage::discard;
    return space;
}

void LoopExchange::end_read(ptrdiff_t result) {
    complete(read_.end(), result);
    maybe_done();
}

void LoopExchange::end_read_now(ptrdiff_t result) {
    const Completion c = read_.end();
    if (c.waiter) c.waiter->complete(result);
    else if (c.done) c.done(c.user_data, result);
    maybe_done();
}

// ---- the response ---------------------------------------------------------------------

int LoopExchange::start(int status, const hornet_header_t* headers, size_t count) {
    return static_cast<int>(now_on_loop([&]() -> ptrdiff_t { return core_.start(status, headers, count, keep_going()); }));
}

int LoopExchange::trailers(const hornet_header_t* fields, size_t count) {
    return static_cast<int>(now_on_loop([&]() -> ptrdiff_t { return core_.trailers(fields, count); }));
}

int LoopExchange::finish(int error) {
    if (finish_called_.exchange(true)) return HORNET_ECLOSED;
    if (in_loop()) return loop_finish(error);
    run_on_loop([this, error] { loop_finish(error); });
    return HORNET_OK;
}

int LoopExchange::timer_start(uint64_t ms, hornet_done_fn done, void* user_data) {
    return static_cast<int>(now_on_loop([&]() -> ptrdiff_t {
        if (core_.finished()) return HORNET_ECLOSED;
        return loop_timer_start(ms, done, user_data);
    }));
}

int LoopExchange::upgrade(const hornet_header_t* headers, size_t count) {
    return static_cast<int>(now_on_loop([&]() -> ptrdiff_t {
        WireBuffers out;
        if (const int rc = core_.upgrade(headers, count, out); rc != HORNET_OK) return rc;
        send_now(out);
        return HORNET_OK;
    }));
}

} // namespace hornet::sdk
