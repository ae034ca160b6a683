// plugins/uring/waiter.hpp: how a thread outside the ring waits for an op
// the ring thread runs for it (an app's own thread after PENDING calling
// read, write, start...). The op is posted to the mailbox; the caller
// sleeps on its thread's Waiter until the ring completes it.
#pragma once

#include <cstddef>
#include <semaphore>

#include "hornet/abi.h"
#include "mailbox.hpp"

namespace hornet::uring {

class Waiter {
public:
    void complete(ptrdiff_t result) { // [ring thread]
        result_ = result;
        ready_.release();
    }
    ptrdiff_t wait() {
        ready_.acquire();
        return result_;
    }
    static Waiter& for_this_thread() {
        thread_local Waiter w;
        return w;
    }

private:
    std::binary_semaphore ready_{0};
    ptrdiff_t result_ = 0;
};

// Who hears that an op is done: an async op's callback (on the ring
// thread, deferred) or a waiting thread.
struct Completion {
    hornet_done_fn done = nullptr;
    void* user_data = nullptr;
    Waiter* waiter = nullptr;
    explicit operator bool() const { return done || waiter; }
};

// [not the ring thread] Posts op(completion) and waits for its result.
template <class Op>
ptrdiff_t wait_for_ring(Mailbox& mailbox, Op&& op) {
    Waiter& w = Waiter::for_this_thread();
    mailbox.post([&w, &op] { op(Completion{nullptr, nullptr, &w}); });
    return w.wait();
}

// [any thread] now() at once on the ring thread, else on it while waiting.
template <class Now>
ptrdiff_t on_ring(Mailbox& mailbox, bool in_ring, Now&& now) {
    if (in_ring) return now();
    return wait_for_ring(mailbox, [&now](const Completion& c) { c.waiter->complete(now()); });
}

} // namespace hornet::uring
