// The loop thread's hand-off to the asyncio thread; see event_inbox.hpp.
#include "event_inbox.hpp"

#include <cerrno>
#include <cstdint>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

namespace hornet::asgi {

EventInbox::EventInbox() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

EventInbox::~EventInbox() { ::close(fd_); }

void EventInbox::push(const Event& e) {
    bool was_empty;
    {
        std::lock_guard lock(mutex_);
        was_empty = events_.empty();
        events_.push_back(e);
    }
    if (!was_empty) return; // a wake-up is already on its way
    const uint64_t one = 1;
    while (::write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

void EventInbox::take(std::vector<Event>& out) {
    uint64_t count;
    while (::read(fd_, &count, sizeof count) < 0 && errno == EINTR) {
    }
    out.clear();
    std::lock_guard lock(mutex_);
    out.swap(events_);
}

} // namespace hornet::asgi
