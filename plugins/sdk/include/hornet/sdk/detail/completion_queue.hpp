// hornet/sdk/detail/completion_queue.hpp: async ops of a blocking exchange.
//
// In a thread-per-request worker, read_async/write_async become tasks: the op
// is queued (never run inside the call that started it) and the handler
// thread, once handle() has returned PENDING, runs each task (blocking I/O,
// then the done callback) until finish() is called, possibly from another
// thread. At most one read, one write and one call (a deferred callback of
// the SDK's WebSocket) task at a time, as the ABI allows:
// fixed storage, no allocation. push()/mark_finished() from any thread; run
// from the handler thread only.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "hornet/abi.h"

namespace hornet::sdk {

struct AsyncTask {
    enum Kind { read, write, call } kind = read; // call: only done(user_data, 0)
    void* buf = nullptr;          // read: destination
    const void* data = nullptr;   // write: source
    size_t len = 0;
    hornet_done_fn done = nullptr;
    void* user_data = nullptr;
};

class CompletionQueue {
public:
    // HORNET_OK, HORNET_EBUSY (one of that kind in flight) or HORNET_ECLOSED.
    int push(const AsyncTask& task);

    // The exchange has ended; wakes the handler. Last touch of the caller.
    void mark_finished();

    // Is an op of that kind queued or running?
    bool busy(AsyncTask::Kind kind);

    // Handler thread: runs tasks with `run` (which returns the done result)
    // until finished; tasks still queued then are completed by `run` too,
    // which sees the exchange finished and returns HORNET_ECLOSED.
    template <class Run>
    void run_until_finished(Run&& run);

    // Handler thread: completes whatever is queued, without waiting.
    template <class Run>
    void drain(Run&& run);

private:
    bool pop(AsyncTask& out);     // mu_ held
    void release(AsyncTask::Kind kind);

    std::mutex mu_;
    std::condition_variable cv_;
    std::array<AsyncTask, 3> tasks_{};
    size_t count_ = 0;
    bool busy_[3] = {false, false, false}; // per kind: queued or running
    bool finished_ = false;
};

template <class Run>
void CompletionQueue::run_until_finished(Run&& run) {
    std::unique_lock lock(mu_);
    for (;;) {
        AsyncTask task;
        if (pop(task)) {
            lock.unlock();
            ptrdiff_t result = run(task);
            release(task.kind); // before the callback: it may start the next op
            task.done(task.user_data, result);
            lock.lock();
            continue;
        }
        if (finished_) return;
        cv_.wait(lock);
    }
}

template <class Run>
void CompletionQueue::drain(Run&& run) {
    std::unique_lock lock(mu_);
    AsyncTask task;
    while (pop(task)) {
        lock.unlock();
        ptrdiff_t result = run(task);
        release(task.kind);
        task.done(task.user_data, result);
        lock.lock();
    }
}

} // namespace hornet::sdk
