// plugins/gthread/poller.hpp: the epoll that a gthread worker's poller thread
// waits on.
//
// It watches the listeners, the stop fd, a wake-up eventfd and every parked
// connection. Connections are armed one-shot (EPOLLONESHOT): a readiness
// event disarms one, so exactly one thread at a time owns it, and the handler
// that parks it re-arms it. Events carry a Tag for the poller's own fds and
// the Connection pointer for connections.
//   [poller]      wait(), watch(), unwatch(), disarm()
//   [any thread]  arm(), wake()
#pragma once

#include <cstdint>
#include <span>
#include <sys/epoll.h>

#include "connection.hpp"

namespace hornet::gthread {

class Poller {
public:
    // Event data below this value is a tag, not a Connection pointer.
    static constexpr uint64_t kTagLimit = 4096;
    enum Tag : uint64_t { stop = 1, wake_up = 2, listener = 16 }; // listener + i, i < kTagLimit - 16

    // Throws std::system_error when the epoll or the eventfd cannot be made.
    Poller();
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    void watch(int fd, uint64_t tag, uint32_t events); // throws std::system_error
    void unwatch(int fd);

    // Readable once: report c as soon as its socket is readable (at once if
    // it is already). false: the kernel refused; the caller closes c.
    bool arm(Connection* c);
    // Forget c: no event for it after this returns.
    void disarm(Connection* c);

    // Ends the current (or next) wait().
    void wake();

    // Events into out; 0 on timeout or a signal. Drains the wake-up itself.
    size_t wait(std::span<epoll_event> out, int timeout_ms);

    static bool is_tag(const epoll_event& e) { return e.data.u64 < kTagLimit; }

private:
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
};

} // namespace hornet::gthread
