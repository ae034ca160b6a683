// plugins/uring/waiter.hpp: the SDK's loop calls (hornet/sdk/loop_call.hpp)
// over this worker's mailbox: an op called from outside the ring (an app's
// own thread after PENDING calling read, write, start...) is posted to the
// ring thread while its caller waits.
#pragma once

#include <cstddef>

#include "hornet/sdk/loop_call.hpp"
#include "mailbox.hpp"

namespace hornet::uring {

using sdk::Completion;
using sdk::Waiter;

// [not the ring thread] Posts op(completion) and waits for its result.
template <class Op>
ptrdiff_t wait_for_ring(Mailbox& mailbox, Op&& op) {
    return sdk::wait_for_loop([&mailbox](auto task) { mailbox.post(std::move(task)); }, op);
}

// [any thread] now() at once on the ring thread, else on it while waiting.
template <class Now>
ptrdiff_t on_ring(Mailbox& mailbox, bool in_ring, Now&& now) {
    return sdk::on_loop([&mailbox](auto task) { mailbox.post(std::move(task)); }, in_ring, now);
}

} // namespace hornet::uring
