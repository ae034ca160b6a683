// Blocks every signal for the lifetime of the object. Wrapped around fork():
// the child must not run one of the arbiter's handlers before it has installed
// its own (a worker) or exec'd (a new arbiter); it unblocks them itself.
#pragma once

#include <csignal>

namespace hornet {

class SignalsBlocked {
public:
    SignalsBlocked() {
        sigset_t all;
        sigfillset(&all);
        ::sigprocmask(SIG_BLOCK, &all, &saved_);
    }
    ~SignalsBlocked() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }
    SignalsBlocked(const SignalsBlocked&) = delete;
    SignalsBlocked& operator=(const SignalsBlocked&) = delete;

private:
    sigset_t saved_;
};

} // namespace hornet
