// Bounded blocking I/O: try the syscall first (the common case needs no
// wait), poll with a deadline only on EAGAIN.
#include "hornet/sdk/blocking_socket.hpp"

#include "hornet/sdk/tls/tls_session.hpp"
#include "hornet/support/log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hornet::sdk {
namespace {

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

IoError error_of(int err) { return err == EPIPE || err == ECONNRESET ? IoError::eof : IoError::failed; }

// Skips the iovecs (or parts) already written.
size_t advance(iovec* iov, size_t count, size_t n) {
    size_t i = 0;
    while (i < count && n >= iov[i].iov_len) n -= iov[i++].iov_len;
    if (i < count) {
        iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + n;
        iov[i].iov_len -= n;
    }
    return i;
}

} // namespace

int Deadline::remaining_ms() {
    const auto now = std::chrono::steady_clock::now();
    if (!at_) at_ = now + std::chrono::milliseconds(timeout_ms_);
    if (now >= *at_) return 0;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*at_ - now).count();
    return static_cast<int>(std::min<int64_t>(left, INT32_MAX));
}

BlockingSocket::BlockingSocket(int fd, const hornet_worker_ctx_t* ctx, uint32_t beat_ms, TlsSession* tls)
    : fd_(fd), ctx_(ctx), beat_ms_(beat_ms ? beat_ms : 1000), watch_stop_(ctx && ctx->stop_fd >= 0), tls_(tls) {}

bool BlockingSocket::buffered() const { return tls_ && tls_->buffered(); }

// Waits for `events`, beating while the client is slow. A graceful stop is
// noted and ignored (this request finishes) unless idle; STOP_NOW ends the wait.
IoError BlockingSocket::wait(short events, Deadline& deadline, bool idle) {
    if ((events & POLLIN) && buffered()) return IoError::none;
    if (events & POLLIN) ack_now();
    for (;;) {
        const int left = deadline.remaining_ms();
        if (left == 0) return IoError::timeout;
        pollfd fds[2] = {{fd_, events, 0}, {watch_stop_ ? ctx_->stop_fd : -1, POLLIN, 0}};
        const int n = ::poll(fds, 2, std::min<int>(left, static_cast<int>(beat_ms_)));
        if (n < 0 && errno != EINTR) return IoError::failed;
        if (ctx_ && ctx_->heartbeat) ctx_->heartbeat(ctx_);
        if (n > 0 && fds[1].revents != 0) {
            if (idle || (ctx_->stop_mode && ctx_->stop_mode(ctx_) == HORNET_STOP_NOW)) return IoError::stopped;
            watch_stop_ = false;
        }
        if (n > 0 && fds[0].revents != 0) return IoError::none;
    }
}

// The client may be waiting for our ACK before it sends more (Nagle), and
// with delayed first ACKs (ListenerSet) the kernel may be holding it back.
void BlockingSocket::ack_now() {
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

IoResult BlockingSocket::read_some(std::span<char> out, Deadline& deadline, bool idle) {
    for (;;) {
        IoResult r = read_now(out);
        if (r.error != IoError::would_block) return r;
        if (IoError e = wait(POLLIN, deadline, idle); e != IoError::none) return {0, e};
    }
}

IoResult BlockingSocket::read_now(std::span<char> out) {
    if (tls_) return tls_read_now(out);
    for (;;) {
        const ssize_t n = ::recv(fd_, out.data(), out.size(), 0);
        if (n > 0) return {static_cast<size_t>(n), IoError::none};
        if (n == 0) return {0, IoError::eof};
        if (errno == EINTR) continue;
        return {0, would_block(errno) ? IoError::would_block : error_of(errno)};
    }
}

IoResult BlockingSocket::read_now_stamped(std::span<char> out, int64_t& received_unix_us) {
    received_unix_us = 0;
    if (tls_) return tls_read_now(out); // the first bytes are a ClientHello: no head's queue time to stamp
    iovec iov{out.data(), out.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    for (;;) {
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd_, &msg, 0);
        if (n == 0) return {0, IoError::eof};
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return {0, would_block(errno) ? IoError::would_block : error_of(errno)};
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_TIMESTAMPNS) continue;
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            received_unix_us = int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
        }
        return {static_cast<size_t>(n), IoError::none};
    }
}

IoError BlockingSocket::wait_readable(Deadline& deadline, bool idle) { return wait(POLLIN, deadline, idle); }

IoResult BlockingSocket::write_all(std::span<const iovec> iov_in, Deadline& deadline, bool last) {
    if (tls_) return tls_write_all(iov_in, deadline, last);
    iovec iov[16];
    size_t count = std::min(iov_in.size(), std::size(iov));
    std::copy_n(iov_in.begin(), count, iov);
    size_t first = 0, total = 0;
    while (first < count) {
        msghdr msg{};
        msg.msg_iov = iov + first;
        msg.msg_iovlen = count - first;
        const ssize_t n = ::sendmsg(fd_, &msg, last ? MSG_NOSIGNAL | MSG_MORE : MSG_NOSIGNAL);
        if (n >= 0) {
            total += static_cast<size_t>(n);
            first += advance(iov + first, count - first, static_cast<size_t>(n));
            continue;
        }
        if (errno == EINTR) continue;
        if (!would_block(errno)) return {total, error_of(errno)};
        if (IoError e = wait(POLLOUT, deadline); e != IoError::none) return {total, e};
    }
    if (last && !output_shut_) ::shutdown(fd_, SHUT_WR); // sends what MSG_MORE held back, with the FIN
    output_shut_ = output_shut_ || last;
    return {total, IoError::none};
}

IoResult BlockingSocket::send_file(int in_fd, uint64_t offset, uint64_t len, Deadline& deadline) {
    if (tls_) return copy_file(in_fd, offset, len, deadline); // the kernel cannot encrypt for us
    uint64_t done = 0;
    while (done < len) {
        off_t off = static_cast<off_t>(offset + done);
        const size_t chunk = static_cast<size_t>(std::min<uint64_t>(len - done, 1u << 30));
        const ssize_t n = ::sendfile(fd_, in_fd, &off, chunk);
        if (n > 0) {
            done += static_cast<uint64_t>(n);
            continue;
        }
        if (n == 0) return {done, IoError::eof}; // the file is shorter than promised
        if (errno == EINTR) continue;
        if ((errno == EINVAL || errno == ENOSYS) && done == 0) return copy_file(in_fd, offset, len, deadline);
        if (!would_block(errno)) return {done, error_of(errno)};
        if (IoError e = wait(POLLOUT, deadline); e != IoError::none) return {done, e};
    }
    return {done, IoError::none};
}

// For files sendfile(2) cannot map (pipes, some special files).
IoResult BlockingSocket::copy_file(int in_fd, uint64_t offset, uint64_t len, Deadline& deadline) {
    char buf[kReadChunk];
    uint64_t done = 0;
    while (done < len) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(len - done, sizeof buf));
        const ssize_t n = ::pread(in_fd, buf, want, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return {done, n == 0 ? IoError::eof : IoError::failed};
        iovec iov{buf, static_cast<size_t>(n)};
        IoResult r = write_all({&iov, 1}, deadline);
        done += r.bytes;
        if (!r) return {done, r.error};
    }
    return {done, IoError::none};
}

void BlockingSocket::interrupt_reads() { ::shutdown(fd_, SHUT_RD); }

void BlockingSocket::linger_close(uint32_t max_ms) {
    if (tls_ && !output_shut_) {
        Deadline flush_deadline(max_ms);
        tls_->close_notify();
        flush_tls(flush_deadline);
    }
    if (!output_shut_) ::shutdown(fd_, SHUT_WR);
    output_shut_ = true;
    Deadline deadline(max_ms);
    char sink[kReadChunk];
    for (size_t total = 0; total < kLingerBytes;) {
        IoResult r = read_some(sink, deadline);
        if (!r) return;
        total += r.bytes;
    }
}

// ---- TLS: the session's ciphertext through this socket ----------------------

void send_close_notify_now(int fd, TlsSession* tls) {
    if (!tls || !tls->handshake_done()) return;
    tls->close_notify();
    const std::span<const char> p = tls->output();
    if (p.empty()) return;
    if (::send(fd, p.data(), p.size(), MSG_NOSIGNAL | MSG_DONTWAIT) > 0) tls->consume_output(p.size());
}

// Decrypts what is here; receives ciphertext only when the session wants
// it, and sends what the handshake answers at once.
IoResult BlockingSocket::tls_read_now(std::span<char> out) {
    char cipher[kReadChunk];
    for (;;) {
        const TlsSession::Step step = tls_->read(out);
        if (tls_->has_output()) {
            Deadline flush_deadline(kTlsFlushMs);
            if (IoError e = flush_tls(flush_deadline); e != IoError::none) return {0, e};
        }
        if (step.status == TlsSession::Status::ok) return {step.bytes, IoError::none};
        if (step.status == TlsSession::Status::closed) return {0, IoError::eof};
        if (step.status == TlsSession::Status::failed) {
            support::logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_DEBUG, "TLS connection dropped: %s",
                          tls_->error().c_str());
            return {0, IoError::failed};
        }
        const ssize_t n = ::recv(fd_, cipher, sizeof cipher, 0);
        if (n > 0) {
            tls_->feed(cipher, static_cast<size_t>(n));
            continue;
        }
        if (n == 0) return {0, IoError::eof};
        if (errno == EINTR) continue;
        return {0, would_block(errno) ? IoError::would_block : error_of(errno)};
    }
}

// Small pieces (a head, a chunk line, a small body) become one record;
// large bodies go out kTlsBatch at a time, so a connection never holds a
// whole response in ciphertext.
IoResult BlockingSocket::tls_write_all(std::span<const iovec> iov, Deadline& deadline, bool last) {
    constexpr size_t kTlsBatch = 64 * 1024;
    char stage[kReadChunk];
    size_t staged = 0, total = 0;
    auto put = [&](const char* p, size_t len) -> IoError {
        if (staged + len <= sizeof stage) {
            std::memcpy(stage + staged, p, len);
            staged += len;
            return IoError::none;
        }
        if (staged != 0 && tls_->write(stage, staged).status != TlsSession::Status::ok) return IoError::failed;
        staged = 0;
        for (size_t at = 0; at < len; at += kTlsBatch) {
            if (tls_->write(p + at, std::min(kTlsBatch, len - at)).status != TlsSession::Status::ok)
                return IoError::failed;
            if (IoError e = flush_tls(deadline); e != IoError::none) return e;
        }
        return IoError::none;
    };
    for (const iovec& v : iov) {
        if (IoError e = put(static_cast<const char*>(v.iov_base), v.iov_len); e != IoError::none) return {total, e};
        total += v.iov_len;
    }
    if (staged != 0 && tls_->write(stage, staged).status != TlsSession::Status::ok) return {total, IoError::failed};
    if (last && !output_shut_) tls_->close_notify();
    if (IoError e = flush_tls(deadline); e != IoError::none) return {total, e};
    if (last && !output_shut_) ::shutdown(fd_, SHUT_WR);
    output_shut_ = output_shut_ || last;
    return {total, IoError::none};
}

IoError BlockingSocket::flush_tls(Deadline& deadline) {
    while (tls_->has_output()) {
        const std::span<const char> p = tls_->output();
        const ssize_t n = ::send(fd_, p.data(), p.size(), MSG_NOSIGNAL);
        if (n > 0) {
            tls_->consume_output(static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && !would_block(errno)) return error_of(errno);
        if (IoError e = wait(POLLOUT, deadline); e != IoError::none) return e;
    }
    return IoError::none;
}

} // namespace hornet::sdk
