// plugins/uring/mailbox.hpp: work handed to the ring thread, from any
// thread or from the ring thread itself.
//
// Two queues. post() from another thread (an app's own thread after
// PENDING, a pool thread) locks, queues, and writes an eventfd that the
// ring keeps a read on, only when the queue was empty, so a burst of posts
// costs one wake-up. defer() on the ring thread queues without a lock or a
// wake-up: the loop runs deferred work before it waits again, which is how
// a done callback is kept from running inside the call that started it.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

namespace hornet::uring {

class Mailbox {
public:
    using Task = std::function<void()>;

    Mailbox();  // throws std::system_error when there is no eventfd
    ~Mailbox();

    int fd() const { return fd_; }

    // [any thread]
    void post(Task task);
    // [ring thread]
    void defer(Task task) { deferred_.push_back(std::move(task)); }
    bool has_deferred() const { return !deferred_.empty(); }
    // [ring thread] Runs what was posted (after the eventfd read completed)
    // and what was deferred, including work those tasks queue meanwhile.
    void run_posted();
    void run_deferred();

private:
    int fd_;
    std::mutex mu_;
    std::vector<Task> posted_; // mu_
    std::vector<Task> deferred_;
    std::vector<Task> running_;          // run_posted()'s
    std::vector<Task> running_deferred_; // run_deferred()'s
};

} // namespace hornet::uring
