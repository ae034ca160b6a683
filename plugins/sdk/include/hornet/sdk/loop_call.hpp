// hornet/sdk/loop_call.hpp: how an event-loop worker type runs an app's op
// that was called from outside its loop, and tells the caller it is done.
//
// An op of a loop exchange runs on the loop thread. Its caller is either an
// async op's done callback (read_async, write_async, the timer), which runs
// on the loop, or a thread outside the loop (an app's own thread after
// PENDING) that waits: the op is posted to the loop and the caller sleeps
// on its thread's Waiter until the loop completes it. A Completion is
// completed exactly once. `post` is the worker type's own "run this on the
// loop" (an Asio post, an io_uring mailbox): any callable taking a
// std::function-compatible task. For loop worker types (plugins/async,
// plugins/uring) and third-party ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <semaphore>

#include "hornet/abi.h"

namespace hornet::sdk {

// One per thread outside the loop; a thread waits for one op at a time.
class Waiter {
public:
    // [loop] Wakes the waiting thread with `result`.
    void complete(ptrdiff_t result) {
        result_ = result;
        ready_.release();
    }
    // [the waiting thread]
    ptrdiff_t wait() {
        ready_.acquire();
        return result_;
    }
    static Waiter& for_this_thread() {
        thread_local Waiter waiter;
        return waiter;
    }

private:
    std::binary_semaphore ready_{0};
    ptrdiff_t result_ = 0;
};

// Who hears that an op is done: an async op's callback (on the loop, never
// inside the call that started it) or a waiting thread.
struct Completion {
    hornet_done_fn done = nullptr;
    void* user_data = nullptr;
    Waiter* waiter = nullptr;
    explicit operator bool() const { return done || waiter; }
};

// The one body read of a loop exchange: where it stands, whose buffer it
// fills and who hears. parsing: between socket reads (the core steps);
// socket: a socket read is in flight; discard: after finish(), the drop of
// what the app left of the body (ExchangeCore::discard_step).
struct BodyRead {
    enum class Stage : uint8_t { idle, parsing, socket, discard };
    Stage stage = Stage::idle;
    void* buf = nullptr;
    size_t cap = 0;
    Completion done;

    void begin(void* b, size_t c, const Completion& d) {
        stage = Stage::parsing;
        buf = b;
        cap = c;
        done = d;
    }
    // Back to idle; the completion to complete.
    Completion end() {
        stage = Stage::idle;
        const Completion d = done;
        done = {};
        return d;
    }
};

// [not the loop] Posts op(completion) to the loop and waits until the loop
// completes that completion.
template <class Post, class Op>
ptrdiff_t wait_for_loop(Post&& post, Op&& op) {
    Waiter& w = Waiter::for_this_thread();
    post([&w, &op] { op(Completion{nullptr, nullptr, &w}); });
    return w.wait();
}

// [any thread] now() at once on the loop thread; from any other thread on
// the loop, this thread waiting for its result.
template <class Post, class Now>
ptrdiff_t on_loop(Post&& post, bool in_loop, Now&& now) {
    if (in_loop) return now();
    return wait_for_loop(post, [&now](const Completion& c) { c.waiter->complete(now()); });
}

} // namespace hornet::sdk
