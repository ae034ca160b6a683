// plugins/async/completion.hpp: how the loop tells the caller of an op that
// it is done, and the one rule for calling the loop from another thread.
//
// An op of an async exchange runs on the loop thread. Its caller is either
// an async op's done callback (read_async, write_async, the timer), which
// runs on the loop, or a thread outside the loop (an app's own thread after
// PENDING) that waits: it posts the op to the loop and sleeps on its Waiter
// until the loop completes it. A Completion is completed exactly once.
#pragma once

#include <cstddef>
#include <semaphore>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "hornet/abi.h"

namespace hornet::async {

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

    static Waiter& for_this_thread();

private:
    std::binary_semaphore ready_{0};
    ptrdiff_t result_ = 0;
};

struct Completion {
    hornet_done_fn done = nullptr; // an async op: done(user_data, result) on the loop
    void* user_data = nullptr;
    Waiter* waiter = nullptr;      // a blocked caller

    explicit operator bool() const { return done || waiter; }
};

// [not the loop] Posts op(completion) to the loop and waits until the loop
// completes that completion.
template <class Op>
ptrdiff_t wait_for_loop(boost::asio::io_context& io, Op&& op) {
    Waiter& w = Waiter::for_this_thread();
    boost::asio::post(io, [&w, &op] { op(Completion{nullptr, nullptr, &w}); });
    return w.wait();
}

// [any thread] now() at once on the loop thread; from any other thread on
// the loop, this thread waiting for its result.
template <class Now>
ptrdiff_t on_loop(boost::asio::io_context& io, bool in_loop, Now&& now) {
    if (in_loop) return now();
    return wait_for_loop(io, [&now](const Completion& c) { c.waiter->complete(now()); });
}

} // namespace hornet::async
