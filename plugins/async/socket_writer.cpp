// The async connection's writer: send(2) first, Asio only on a full kernel
// buffer.
#include "socket_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>

#include "hornet/abi.h"

namespace hornet::async {

void SocketWriter::append(const sdk::WireBuffers& out) {
    for (const iovec& v : out.iov()) out_.append(v.iov_base, v.iov_len);
}

void SocketWriter::kick() {
    if (writing_ || in_kick_) return;
    in_kick_ = true;
    for (;;) {
        if (broken_) {
            in_kick_ = false;
            return fail();
        }
        int error = 0;
        if (out_.refill(error)) listener_.on_source_taken(error);
        const std::span<const char> p = tls_ ? tls_next() : out_.pending();
        if (p.empty() && broken_) continue;
        if (p.empty()) break;
        const ssize_t n = ::send(socket_.native_handle(), p.data(), p.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            if (tls_) tls_->consume_output(static_cast<size_t>(n));
            else out_.consume(static_cast<size_t>(n));
            deadline_ms_ = 0; // progress: a new stall starts a new deadline
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        in_kick_ = false;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable();
        broken_ = true;
        return fail();
    }
    in_kick_ = false;
    deadline_ms_ = 0;
    listener_.on_output_settled();
}

// Waits for room in the kernel's buffer, then sends from the buffer as it is
// then: the buffer may move while we wait (the app appends), so no write is
// left in flight with a pointer into it.
void SocketWriter::wait_writable() {
    writing_ = true;
    if (deadline_ms_ == 0) deadline_ms_ = clock_ms_ + write_ms_;
    socket_.async_wait(boost::asio::socket_base::wait_write, [this](const boost::system::error_code& ec) {
        writing_ = false;
        if (ec) broken_ = true;
        kick();
    });
}

bool SocketWriter::tls_pending() const { return tls_ && tls_->has_output(); }

std::span<const char> SocketWriter::tls_next() {
    constexpr size_t kTlsBatch = 64 * 1024;
    if (!tls_->has_output() && !out_.empty()) {
        const std::span<const char> plain = out_.pending();
        const size_t n = std::min(plain.size(), kTlsBatch);
        if (tls_->write(plain.data(), n).status != sdk::TlsSession::Status::ok) {
            broken_ = true;
            return {};
        }
        out_.consume(n);
    }
    return tls_->output();
}

void SocketWriter::check_deadline(int64_t now_ms) {
    if (deadline_ms_ == 0 || now_ms < deadline_ms_) return;
    deadline_ms_ = 0;
    broken_ = true;
    socket_.cancel();
}

void SocketWriter::fail() {
    broken_ = true;
    deadline_ms_ = 0;
    if (out_.discard()) listener_.on_source_taken(HORNET_EIO);
    listener_.on_output_failed();
    listener_.on_output_settled();
}

} // namespace hornet::async
