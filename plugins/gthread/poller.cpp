// The gthread poller's epoll and its wake-up eventfd.
#include "poller.hpp"

#include <cerrno>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

namespace hornet::gthread {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

} // namespace

Poller::Poller() {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) fail("epoll_create1");
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        ::close(epoll_fd_);
        fail("eventfd");
    }
    watch(wake_fd_, Tag::wake_up, EPOLLIN);
}

Poller::~Poller() {
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

void Poller::watch(int fd, uint64_t tag, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl");
}

void Poller::unwatch(int fd) { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

bool Poller::arm(Connection* c) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.ptr = c;
    const int op = c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (::epoll_ctl(epoll_fd_, op, c->state.fd, &ev) != 0) return false;
    c->registered = true;
    return true;
}

void Poller::disarm(Connection* c) {
    if (c->registered) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->state.fd, nullptr);
    c->registered = false;
}

void Poller::wake() {
    const uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one); // EAGAIN: a wake-up is pending anyway
}

size_t Poller::wait(std::span<epoll_event> out, int timeout_ms) {
    const int n = ::epoll_wait(epoll_fd_, out.data(), static_cast<int>(out.size()), timeout_ms);
    if (n <= 0) return 0; // timeout, or EINTR: the caller checks the stop mode anyway
    for (int i = 0; i < n; ++i) {
        if (out[i].data.u64 != Tag::wake_up) continue;
        uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
    }
    return static_cast<size_t>(n);
}

} // namespace hornet::gthread
