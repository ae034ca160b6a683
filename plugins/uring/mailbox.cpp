// The ring thread's mailbox: a locked queue woken through an eventfd, and
// the unlocked deferred queue.
#include "mailbox.hpp"

#include <cerrno>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

namespace hornet::uring {

Mailbox::Mailbox() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Mailbox::~Mailbox() { ::close(fd_); }

void Mailbox::post(Task task) {
    bool wake = false;
    {
        std::lock_guard lock(mu_);
        wake = posted_.empty();
        posted_.push_back(std::move(task));
    }
    if (!wake) return;
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(fd_, &one, sizeof one);
}

void Mailbox::run_posted() {
    {
        std::lock_guard lock(mu_);
        running_.swap(posted_);
    }
    for (Task& t : running_) t();
    running_.clear();
}

// The two vectors trade places and keep their capacity: no allocation per
// loop turn.
void Mailbox::run_deferred() {
    while (!deferred_.empty()) {
        running_deferred_.swap(deferred_);
        for (Task& t : running_deferred_) t();
        running_deferred_.clear();
    }
}

} // namespace hornet::uring
