// plugins/uring/ring_probe.hpp: can this process use io_uring at all?
//
// A kernel built without it, kernel.io_uring_disabled (1 for unprivileged
// users, 2 for everyone), a seccomp filter (Docker's default profile) or an
// old kernel without the operations this worker type needs all look the
// same to a user: the worker type cannot run. The probe makes a tiny ring
// and asks for those operations; the answer is one line naming the cause
// and the alternative (async). Any thread; the check runs in the arbiter
// before anything forks, and each worker's ring is made again after fork.
#pragma once

#include <string>

namespace hornet::uring {

// Empty when io_uring works here; else why not, as one line.
std::string probe_ring();

} // namespace hornet::uring
