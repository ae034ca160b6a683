// plugins/async/tls_stream.hpp: the async connection's reads, through the
// SDK's TlsSession when its listener speaks TLS.
//
// async_read_some() has the socket's signature. Plaintext: the socket's own
// call, nothing added. TLS: a composed operation that decrypts what the
// session holds, reads ciphertext from the socket only when the session
// wants it (the handshake runs inside the first read, under the deadline
// of the first head: header_timeout), and hands what the handshake answers
// to the SocketWriter, the connection's only sender. Cancelling the socket
// (a deadline, a stop) ends it as it ends a plain read. A read that
// completes without waiting still completes through the executor, never
// inside the call. One read in flight at a time. [loop]
#pragma once

#include <cstddef>
#include <memory>
#include <sys/socket.h>

#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/post.hpp>

#include "hornet/sdk/io.hpp"
#include "hornet/sdk/tls/tls_session.hpp"
#include "hornet/support/log.hpp"
#include "socket_writer.hpp"

namespace hornet::async {

class TlsStream {
public:
    using Socket = boost::asio::generic::stream_protocol::socket;

    // tls may be null (plaintext); it and the others outlive this.
    TlsStream(Socket& socket, sdk::TlsSession* tls, SocketWriter& writer, const hornet_host_t* host)
        : socket_(socket), tls_(tls), writer_(writer), host_(host) {}

    template <class Token>
    auto async_read_some(boost::asio::mutable_buffer out, Token&& token) {
        if (!tls_) return socket_.async_read_some(out, std::forward<Token>(token));
        return boost::asio::async_compose<Token, void(boost::system::error_code, size_t)>(ReadOp{*this, out}, token,
                                                                                           socket_);
    }

    sdk::TlsSession* session() const { return tls_; }

    // watch_peer over TLS: has the client sent its close_notify? Takes what
    // ciphertext the socket holds into the session (up to kPeekBytes held
    // there, so a client pipelining without end costs bounded memory) and
    // peeks: the plaintext stays for the next read. Not while a read is in
    // flight: that read takes the ciphertext itself, and tells the end.
    bool peer_closed() {
        if (!tls_ || reading_) return false;
        char cipher[sdk::kReadChunk];
        while (tls_->input_pending() < kPeekBytes) {
            const ssize_t n = ::recv(socket_.native_handle(), cipher, sizeof cipher, MSG_DONTWAIT);
            if (n <= 0) break; // nothing more now; an end or an error is the socket's to tell (POLLRDHUP)
            tls_->feed(cipher, static_cast<size_t>(n));
        }
        const bool closed = tls_->peer_closed();
        if (tls_->has_output()) writer_.kick();
        return closed;
    }

private:
    struct ReadOp {
        TlsStream& s;
        boost::asio::mutable_buffer out;
        enum { start, reading, done } state = start;
        boost::system::error_code result_ec{};
        size_t result_n = 0;

        template <class Self>
        void operator()(Self& self, boost::system::error_code ec = {}, size_t n = 0) {
            if (state == done) return self.complete(result_ec, result_n);
            const bool waited = state == reading;
            if (waited) {
                s.reading_ = false;
                if (ec || n == 0) return self.complete(ec ? ec : boost::asio::error::eof, 0);
                s.tls_->feed(s.cipher_.get(), n);
            }
            const sdk::TlsSession::Step step =
                s.tls_->read({static_cast<char*>(out.data()), out.size()});
            if (s.tls_->has_output()) s.writer_.kick(); // the handshake's answer, tickets
            if (step.status == sdk::TlsSession::Status::want_input) {
                if (!s.cipher_) s.cipher_ = std::make_unique<char[]>(sdk::kReadChunk);
                state = reading;
                s.reading_ = true;
                return s.socket_.async_read_some(boost::asio::buffer(s.cipher_.get(), sdk::kReadChunk),
                                                 std::move(self));
            }
            result_n = step.bytes;
            if (step.status == sdk::TlsSession::Status::closed) result_ec = boost::asio::error::eof;
            if (step.status == sdk::TlsSession::Status::failed) {
                result_ec = boost::asio::error::connection_aborted;
                support::logf(s.host_, HORNET_LOG_DEBUG, "TLS connection dropped: %s", s.tls_->error().c_str());
            }
            if (waited) return self.complete(result_ec, result_n);
            state = done; // never complete inside the initiating call
            boost::asio::post(s.socket_.get_executor(), std::move(self));
        }
    };

    Socket& socket_;
    sdk::TlsSession* tls_;
    SocketWriter& writer_;
    const hornet_host_t* host_; // for the log line of a failed handshake
    static constexpr size_t kPeekBytes = 64 * 1024;
    std::unique_ptr<char[]> cipher_; // the ciphertext of the read in flight
    bool reading_ = false;           // a socket read is in flight
};

} // namespace hornet::async
