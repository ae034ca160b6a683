// The io_uring probe: a two-entry ring and the operation list.
#include "ring_probe.hpp"

#include <cstdio>
#include <cstring>
#include <liburing.h>

namespace hornet::uring {
namespace {

// What the worker type submits: accept, recv, send, close, timeouts,
// cancels, the stop fd's poll, the mailbox's read, splice for files.
constexpr int kNeeded[] = {IORING_OP_ACCEPT, IORING_OP_RECV,  IORING_OP_SEND,         IORING_OP_CLOSE,
                           IORING_OP_TIMEOUT, IORING_OP_TIMEOUT_REMOVE, IORING_OP_ASYNC_CANCEL,
                           IORING_OP_POLL_ADD, IORING_OP_READ, IORING_OP_SPLICE, IORING_OP_PROVIDE_BUFFERS};

std::string disabled_sysctl() {
    FILE* f = std::fopen("/proc/sys/kernel/io_uring_disabled", "r");
    if (!f) return "";
    int v = 0;
    const bool read = std::fscanf(f, "%d", &v) == 1;
    std::fclose(f);
    if (!read || v == 0) return "";
    return "; kernel.io_uring_disabled is " + std::to_string(v);
}

std::string unavailable(const std::string& cause) {
    return "io_uring is not available to this process (" + cause + disabled_sysctl() +
           "); use -k async (the event loop on epoll) instead, or allow io_uring (sysctl kernel.io_uring_disabled=0, "
           "a seccomp profile that permits io_uring_setup)";
}

} // namespace

std::string probe_ring() {
    io_uring ring{};
    const int rc = io_uring_queue_init(2, &ring, 0);
    if (rc < 0) return unavailable(std::string("io_uring_setup: ") + std::strerror(-rc));
    io_uring_probe* probe = io_uring_get_probe_ring(&ring);
    std::string why;
    if (!probe) why = unavailable("the kernel cannot list its io_uring operations: older than 5.6");
    for (int op : kNeeded) {
        if (!why.empty()) break;
        if (!io_uring_opcode_supported(probe, op))
            why = unavailable("the kernel lacks io_uring operation " + std::to_string(op) + ": it is too old");
    }
    if (probe) io_uring_free_probe(probe);
    io_uring_queue_exit(&ring);
    return why;
}

} // namespace hornet::uring
