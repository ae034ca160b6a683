// hornet/sdk/io.hpp: the words every transport shares: how an I/O operation
// ended, and the few sizes and times of client I/O that every worker type
// uses, defined once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hornet::sdk {

// would_block: only from a read that never waits (BlockingSocket::read_now).
enum class IoError { none, eof, timeout, stopped, failed, would_block };

struct IoResult {
    size_t bytes = 0;
    IoError error = IoError::none;
    explicit operator bool() const { return error == IoError::none; }
};

// One read from a client socket, head or body.
inline constexpr size_t kReadChunk = 16 * 1024;
// Room left after a pinned head, so the first body read needs no compaction.
inline constexpr size_t kHeadTailRoom = 4 * 1024;
// How long a closing connection drains what the client still sends, so the
// close does not reset a response the client has not read yet.
inline constexpr uint32_t kLingerMs = 1000;
// How much a lingering close reads at most before it gives up.
inline constexpr size_t kLingerBytes = 1024 * 1024;
// How long a TLS handshake's answer may wait for room in the socket.
inline constexpr uint32_t kTlsFlushMs = 5000;
// The interim response of Expect: 100-continue.
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

} // namespace hornet::sdk
