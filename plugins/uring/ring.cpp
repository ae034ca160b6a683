// The ring: set-up, submission entries, the completion loop and the
// provided buffer ring.
#include "ring.hpp"

#include <cerrno>
#include <cstdlib>
#include <sys/mman.h>
#include <system_error>

namespace hornet::uring {
namespace {

// The no-op completion of an untracked submission (a cancel, a close whose
// result nobody needs).
constexpr uint64_t kUntracked = 0;

[[noreturn]] void fail(int rc, const char* what) { throw std::system_error(-rc, std::generic_category(), what); }

} // namespace

Ring::Ring() {
    io_uring_params params{};
    // One thread submits and reaps: the kernel need not wake it for
    // completions it will read anyway, and task work runs when it enters.
    params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER;
    int rc = io_uring_queue_init_params(kEntries, &ring_, &params);
    if (rc == -EINVAL) { // an older kernel without those flags
        params = {};
        rc = io_uring_queue_init_params(kEntries, &ring_, &params);
    }
    if (rc < 0) fail(rc, "io_uring_setup");
    const size_t ring_bytes = kBuffers * sizeof(io_uring_buf);
    void* mem = ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) {
        io_uring_queue_exit(&ring_);
        fail(-errno, "mmap of the buffer ring");
    }
    buf_ring_ = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uintptr_t>(mem);
    reg.ring_entries = kBuffers;
    reg.bgid = kGroup;
    if ((rc = io_uring_register_buf_ring(&ring_, &reg, 0)) < 0) {
        ::munmap(mem, ring_bytes);
        io_uring_queue_exit(&ring_);
        fail(rc, "io_uring_register_buf_ring");
    }
    io_uring_buf_ring_init(buf_ring_);
    buffers_.reset(new char[kBuffers * kBufferBytes]);
    for (unsigned i = 0; i < kBuffers; ++i)
        io_uring_buf_ring_add(buf_ring_, buffers_.get() + i * kBufferBytes, kBufferBytes, static_cast<uint16_t>(i),
                              io_uring_buf_ring_mask(kBuffers), static_cast<int>(i));
    io_uring_buf_ring_advance(buf_ring_, kBuffers);
}

Ring::~Ring() {
    io_uring_unregister_buf_ring(&ring_, kGroup);
    ::munmap(buf_ring_, kBuffers * sizeof(io_uring_buf));
    io_uring_queue_exit(&ring_);
}

io_uring_sqe* Ring::sqe_untracked() {
    io_uring_sqe* s = io_uring_get_sqe(&ring_);
    if (!s) {
        io_uring_submit(&ring_);
        s = io_uring_get_sqe(&ring_);
    }
    if (!s) throw std::system_error(EBUSY, std::generic_category(), "io_uring submission queue");
    io_uring_sqe_set_data64(s, kUntracked);
    return s;
}

io_uring_sqe* Ring::sqe(Op& op) {
    io_uring_sqe* s = sqe_untracked();
    io_uring_sqe_set_data(s, &op);
    op.busy = true;
    op.cancel = false;
    return s;
}

void Ring::cancel(Op& op) {
    if (!op.busy || op.cancel) return;
    op.cancel = true;
    io_uring_prep_cancel(sqe_untracked(), &op, 0);
}

unsigned Ring::run_once(unsigned wait) {
    const int rc = io_uring_submit_and_wait(&ring_, wait);
    if (rc < 0 && rc != -EINTR && rc != -ETIME && rc != -EBUSY) fail(rc, "io_uring_enter");
    unsigned handled = 0;
    unsigned head;
    io_uring_cqe* cqe;
    // One pass over what is there; an op's handler may submit more.
    unsigned seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        const uint64_t data = io_uring_cqe_get_data64(cqe);
        if (data == kUntracked) continue;
        Op& op = *reinterpret_cast<Op*>(data);
        const int res = cqe->res;
        const uint32_t flags = cqe->flags;
        if (!(flags & IORING_CQE_F_MORE)) op.busy = false;
        op.fn(op, res, flags);
        ++handled;
    }
    io_uring_cq_advance(&ring_, seen);
    return handled;
}

std::span<const char> Ring::buffer(uint32_t flags, int len) const {
    const unsigned id = flags >> IORING_CQE_BUFFER_SHIFT;
    return {buffers_.get() + id * kBufferBytes, static_cast<size_t>(len)};
}

void Ring::give_back(uint32_t flags) {
    const unsigned id = flags >> IORING_CQE_BUFFER_SHIFT;
    io_uring_buf_ring_add(buf_ring_, buffers_.get() + id * kBufferBytes, kBufferBytes, static_cast<uint16_t>(id),
                          io_uring_buf_ring_mask(kBuffers), 0);
    io_uring_buf_ring_advance(buf_ring_, 1);
}

} // namespace hornet::uring
