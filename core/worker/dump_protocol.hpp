// What the arbiter and a worker agree on for stack dumps (docs/operations.md):
// the signal that asks a worker for one, and how the worker sends it back.
//
// The arbiter makes one pipe at start; every worker inherits its write end.
// A worker sends a dump as frames of at most PIPE_BUF bytes, each written
// with one write(2), which the kernel keeps whole on a pipe however many
// workers write at once: a head (the worker's pid, the payload's length,
// whether it is the last frame) and up to kFramePayload bytes of text. The
// arbiter (DumpInbox) puts each pid's frames back together.
//
// write_dump: [worker, the dump thread]; blocking. Everything else: pure.
#pragma once

#include <csignal>
#include <cstdint>
#include <limits.h>
#include <string_view>
#include <sys/types.h>

namespace hornet::dump {

// Asks a worker for a stack dump; sent by the arbiter, or by hand
// (`kill -URG WORKER_PID`). Its default action is to do nothing, so a
// request that reaches a process without the handler (a worker still
// forking, a child an app forked) harms no one.
inline constexpr int request_signal = SIGURG;

struct FrameHead {
    std::uint32_t pid;
    std::uint16_t length; // payload bytes that follow
    std::uint8_t last;    // 1: the dump ends with this frame
    std::uint8_t reserved;
};
static_assert(sizeof(FrameHead) == 8);

inline constexpr std::size_t kFrameBytes = PIPE_BUF;
inline constexpr std::size_t kFramePayload = kFrameBytes - sizeof(FrameHead);

// Sends `text` as pid's dump on fd (the pipe's write end); a write error
// (the arbiter gone) ends it quietly. Returns false on such an error.
bool write_dump(int fd, pid_t pid, std::string_view text);

} // namespace hornet::dump
