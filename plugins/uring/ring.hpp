// plugins/uring/ring.hpp: the worker process's one io_uring, and the
// buffers the kernel picks from for receives.
//
// Every operation in flight is an Op owned by whoever submitted it (a
// connection, the worker); its address is the submission's user_data, so a
// completion finds its owner with no lookup. An Op is in flight from
// submission to its last completion (a multishot accept has many); its
// owner keeps it alive until then. Receives that wait for a client (a new
// request, keep-alive) use provided buffers: an idle connection holds no
// receive buffer, the kernel lends one of the ring's when bytes arrive and
// the connection gives it back once it has copied them. Ring thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <liburing.h>
#include <memory>
#include <span>

namespace hornet::uring {

struct Op {
    using Fn = void (*)(Op& op, int res, uint32_t flags);
    Fn fn = nullptr;
    void* owner = nullptr;
    bool busy = false;   // submitted, its last completion not in yet
    bool cancel = false; // a cancel for it is submitted
};

class Ring {
public:
    static constexpr unsigned kEntries = 1024;
    // Provided receive buffers: heads are small, and a head larger than one
    // buffer arrives in several receives; 1 MiB in all, resident once used.
    static constexpr unsigned kBuffers = 256;
    static constexpr size_t kBufferBytes = 4 * 1024;
    static constexpr uint16_t kGroup = 0;

    // Throws std::system_error when the ring or its buffers cannot be made.
    Ring();
    ~Ring();
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;

    // A free submission entry bound to op (op.busy is set), submitting what
    // is queued first when the queue is full.
    io_uring_sqe* sqe(Op& op);
    // A free entry for an operation whose completion nobody waits for.
    io_uring_sqe* sqe_untracked();
    // Asks the kernel to cancel op (its completion still comes, -ECANCELED).
    void cancel(Op& op);

    // Submits, waits for at least `wait` completions, and hands each to its
    // op; returns the number handled.
    unsigned run_once(unsigned wait);

    // Provided buffers: the bytes of a receive's completion (flags says
    // which buffer), then its return to the kernel.
    std::span<const char> buffer(uint32_t flags, int len) const;
    void give_back(uint32_t flags);

private:
    io_uring ring_{};
    io_uring_buf_ring* buf_ring_ = nullptr;
    std::unique_ptr<char[]> buffers_;
};

} // namespace hornet::uring
