// hornet/sdk/blocking_socket.hpp: bounded blocking I/O on a client socket.
//
// Blocking-style reads and writes for thread-per-connection worker types (sync,
// gthread) that never hang: the fd is non-blocking and every wait is a poll
// with a deadline, watching the worker's stop fd too (a STOP_NOW ends the wait
// at once; a graceful stop lets the current request finish). While it waits
// for a slow client it beats the heartbeat, since the wait is bounded by the
// client timeouts, not the app. Sends use MSG_NOSIGNAL: no SIGPIPE. Used by
// one thread at a time per direction (the exchange serializes writers).
// With a TlsSession the same calls carry TLS: reads decrypt (and drive the
// handshake), writes encrypt, files are read and encrypted (sendfile(2)
// cannot carry TLS), and the last write ends with a close_notify; then the
// session is used by one thread at a time (the exchange's lock, or a
// request's single thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <sys/uio.h>

#include "hornet/sdk/io.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

class TlsSession;

// A time limit that reads the clock only when a wait is actually needed.
class Deadline {
public:
    explicit Deadline(uint32_t timeout_ms) : timeout_ms_(timeout_ms) {}
    // Milliseconds left, 0 when expired; starts the clock on first use.
    int remaining_ms();

private:
    uint32_t timeout_ms_;
    std::optional<std::chrono::steady_clock::time_point> at_;
};

class BlockingSocket {
public:
    // fd must be non-blocking; ctx (may be null in tests) gives the stop fd,
    // stop mode and heartbeat. Does not own fd.
    // tls (may be null: plaintext) is not owned and outlives this.
    BlockingSocket(int fd, const hornet_worker_ctx_t* ctx, uint32_t beat_ms, TlsSession* tls = nullptr);

    // Some bytes (> 0), or eof / timeout / stopped / failed. `idle`: waiting
    // between requests, where a graceful stop ends the wait too.
    IoResult read_some(std::span<char> out, Deadline& deadline, bool idle = false);
    // Some bytes if the kernel has them, else would_block at once (or eof /
    // failed): for worker types that wait for readiness elsewhere (a poller).
    IoResult read_now(std::span<char> out);
    // read_now, and when the listener gave the socket SO_TIMESTAMPNS, when
    // the kernel received the bytes (CLOCK_REALTIME µs; 0 if it said not).
    IoResult read_now_stamped(std::span<char> out, int64_t& received_unix_us);
    // Waits until the socket is readable: none, or timeout / stopped / failed,
    // with read_some()'s rules for `idle` and the stop fd.
    IoError wait_readable(Deadline& deadline, bool idle);
    // All of iov (at most 16 entries), or the error that stopped it. With
    // `last`, these are the connection's final bytes: they go out with the
    // FIN in one segment (MSG_MORE, then a half-close), saving the peer and
    // the kernel a packet per connection. Once half-closed, a `last` call
    // with nothing to send does nothing; nothing else may be written.
    IoResult write_all(std::span<const iovec> iov, Deadline& deadline, bool last = false);
    // len bytes of in_fd from offset; read+write when sendfile(2) refuses.
    IoResult send_file(int in_fd, uint64_t offset, uint64_t len, Deadline& deadline);

    // Ends a read blocked on another thread (it sees EOF); the connection
    // cannot carry another request afterwards.
    void interrupt_reads();

    // Half-close and discard what the client still sends, briefly, so the
    // close does not reset a response the client has not read yet.
    void linger_close(uint32_t max_ms);

    int fd() const { return fd_; }
    // Plaintext (or a whole record) already decrypted or received: read
    // before waiting for the socket.
    bool buffered() const;

private:
    IoError wait(short events, Deadline& deadline, bool idle = false);
    void ack_now();
    IoResult copy_file(int in_fd, uint64_t offset, uint64_t len, Deadline& deadline);
    IoResult tls_read_now(std::span<char> out);
    IoResult tls_write_all(std::span<const iovec> iov, Deadline& deadline, bool last);
    IoError flush_tls(Deadline& deadline);

    int fd_;
    const hornet_worker_ctx_t* ctx_;
    uint32_t beat_ms_;
    bool watch_stop_;
    bool output_shut_ = false; // write_all(last) half-closed it
    TlsSession* tls_;
};

// The close_notify of an idle TLS connection about to be closed (keep-alive
// time out, a stop's drain, the client's own close_notify): one send that
// never waits, so a poller thread never blocks on it; a socket whose buffer
// is full (a client that reads nothing) is closed without it. Nothing when
// tls is null, the handshake never ended or the close_notify went already.
void send_close_notify_now(int fd, TlsSession* tls);

} // namespace hornet::sdk
