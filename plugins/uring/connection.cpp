// One connection's state machine: heads, exchanges (on the ring or the
// pool), output, keep-alive, linger, close.
#include "connection.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hornet/sdk/blocking_exchange.hpp"
#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/sdk/io.hpp"
#include "pool_exchange.hpp"
#include "uring_worker.hpp"

namespace hornet::uring {
namespace {

constexpr size_t kInputBytes = 8 * 1024; // grows only for a larger head
constexpr size_t kKeepOutput = 16 * 1024; // an idle connection keeps at most this

Connection& owner(Op& op) { return *static_cast<Connection*>(op.owner); }

constexpr size_t kPipeBytes = 64 * 1024; // a pipe's default capacity: one splice's most

bool may_keep_alive(const void* worker) { return static_cast<const UringWorker*>(worker)->keep_going(); }

} // namespace

Connection::Connection(UringWorker& worker, int fd, const sdk::ConnectionAddresses& addresses)
    : worker_(worker), ring_(worker.ring()), ctx_(worker.ctx()), fd_(fd), addresses_(addresses),
      input_(kInputBytes), cycle_(ctx_, worker.gate()), exchange_(worker, *this, cycle_.parts(input_)) {
    for (Op* op : {&recv_, &send_, &close_, &timer_, &splice_in_, &splice_out_}) op->owner = this;
    splice_in_.fn = on_splice_in;
    splice_out_.fn = on_splice_out;
    recv_.fn = on_recv;
    send_.fn = on_send;
    close_.fn = on_close;
    timer_.fn = on_timer;
    worker.gate().judge(peer_, addresses_.peer); // the socket's own peer, before any PROXY header
}

Connection::~Connection() {
    if (!fd_closed_) ::close(fd_);
    for (int p : pipe_)
        if (p >= 0) ::close(p);
}

void Connection::start() { read_head(); }

// ---- heads ------------------------------------------------------------------------

void Connection::read_head() {
    stage_ = Stage::head;
    close_after_ = false;
    watch_.begin_head();
    cycle_.begin_head(ref());
    parse_head();
}

void Connection::parse_head() {
    const sdk::HeadStep step = cycle_.parse_head(ref());
    if (step.status == sdk::HeadStatus::refused) return refuse(step);
    if (step.status == sdk::HeadStatus::ready) {
        watch_.head_done();
        return run_exchange();
    }
    if (!await_client()) return close();
    arm_select_recv();
}

// The deadline of the wait for the client; false when the connection
// should close instead (stopping). A drain deadline already past still
// arms the receive: a request the client sent right after a kept-alive
// answer is then served (with Connection: close), and the tick ends the
// wait if nothing came.
bool Connection::await_client() {
    if (cut_) return false;
    watch_.await(worker_.timeouts(), worker_.now_ms(), input_.empty(), answered_ != 0, worker_.drain_by_ms());
    return true;
}

// A receive into one of the ring's buffers: nothing is held while waiting.
void Connection::arm_select_recv() {
    io_uring_sqe* s = ring_.sqe(recv_);
    io_uring_prep_recv(s, fd_, nullptr, Ring::kBufferBytes, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = Ring::kGroup;
}

void Connection::recv_body(std::span<char> space, bool timed) {
    body_deadline_ms_ = timed ? worker_.now_ms() + worker_.timeouts().body_ms : 0;
    body_timed_out_ = false;
    io_uring_prep_recv(ring_.sqe(recv_), fd_, space.data(), space.size(), 0);
}

void Connection::on_recv(Op& op, int res, uint32_t flags) {
    Connection& c = owner(op);
    c.watch_.done();
    if (c.stage_ == Stage::head) c.on_head_bytes(res, flags);
    else if (c.stage_ == Stage::linger) c.on_linger_bytes(res, flags);
    else if (c.stage_ == Stage::ring_app) {
        c.body_deadline_ms_ = 0;
        c.exchange_.on_body_read(res);
    } else if (flags & IORING_CQE_F_BUFFER) c.ring_.give_back(flags);
    c.maybe_release();
}

// The ring's buffers are all lent out (many clients spoke at once): this
// receive goes straight into the connection's input instead.
void Connection::arm_direct_recv() {
    const std::span<char> space = input_.prepare(sdk::kReadChunk);
    if (space.empty()) return refuse({sdk::HeadStatus::refused, 431, {}});
    io_uring_prep_recv(ring_.sqe(recv_), fd_, space.data(), space.size(), 0);
}

void Connection::on_head_bytes(int res, uint32_t flags) {
    if (res == -ENOBUFS && !cut_) {
        if (!await_client()) return close();
        return arm_direct_recv();
    }
    if (res <= 0) {
        if (flags & IORING_CQE_F_BUFFER) ring_.give_back(flags);
        if (watch_.head_expired() && !input_.empty() && !cut_) return refuse({sdk::HeadStatus::refused, 408, {}});
        return close();
    }
    const bool first = input_.empty();
    size_t n = static_cast<size_t>(res); // a direct receive: already in the input
    if (flags & IORING_CQE_F_BUFFER) {
        const std::span<const char> bytes = ring_.buffer(flags, res);
        const std::span<char> space = input_.prepare(bytes.size());
        n = std::min(space.size(), bytes.size());
        std::memcpy(space.data(), bytes.data(), n);
        ring_.give_back(flags);
        if (n < bytes.size()) return refuse({sdk::HeadStatus::refused, 431, {}}); // a head past every limit
    }
    if (first) {
        cycle_.on_first_bytes();
        watch_.first_bytes(worker_.now_ms());
    }
    input_.commit(n);
    parse_head();
}

void Connection::refuse(const sdk::HeadStep& step) {
    stage_ = Stage::refusing;
    refused_ = step;
    append(cycle_.refusal(step.http_status));
    flush();
    output_changed();
}

// ---- exchanges --------------------------------------------------------------------

void Connection::run_exchange() {
    // Decided before the app runs, so a stop's last answer says Connection: close.
    route_ = cycle_.begin_exchange(ref(), worker_.keep_going());
    if (route_.on_loop()) {
        stage_ = Stage::ring_app;
        return exchange_.run(route_);
    }
    stage_ = Stage::pool_app;
    pool_done_ = false;
    worker_.pool().push(this);
}

void Connection::serve_on_pool() noexcept {
    const sdk::Timeouts& t = cycle_.timeouts();
    sdk::BlockingSocket socket(fd_, ctx_, t.beat_ms);
    bool reusable = false;
    bool unread = false;
    {
        PoolExchange x(worker_, *this, cycle_.parts(input_),
                       {socket, t.body_ms, t.write_ms, may_keep_alive, &worker_});
        x.run(route_.app, route_.instance);
        reusable = x.reusable();
        unread = x.unread_input();
    }
    worker_.mailbox().post([this, reusable, unread] {
        pool_done_ = true;
        exchange_done(reusable, unread);
    });
}

// Deferred: the exchange's own call stack unwinds before the next request.
void Connection::exchange_done(bool reusable, bool unread) {
    worker_.mailbox().defer([this, reusable, unread] {
        if (timer_.busy) { // the timer's cancel is on its way: move on once it is back
            timer_close();
            owed_ = Owed{true, reusable, unread};
            return;
        }
        if (stage_ == Stage::ring_app) exchange_.end();
        after_exchange(reusable, unread);
        maybe_release();
    });
}

void Connection::after_exchange(bool reusable, bool unread) {
    cycle_.end_exchange(ref());
    ++answered_;
    if (output_size() == 0 && out_.capacity() > kKeepOutput) std::string().swap(out_);
    if (more_.empty() && more_.capacity() > kKeepOutput) std::string().swap(more_);
    if (fd_closed_ || close_linked_) return close();
    // A response that promised keep-alive is kept to, even by a worker that
    // stops meanwhile: the next request is answered with Connection: close.
    if (reusable && !cut_ && !broken_) return read_head();
    if (unread && !broken_ && !cut_) return linger();
    close();
}

// ---- output -----------------------------------------------------------------------

void Connection::append(const sdk::WireBuffers& out) {
    std::string& to = send_.busy ? more_ : out_;
    for (const iovec& v : out.iov()) to.append(static_cast<const char*>(v.iov_base), v.iov_len);
}

void Connection::append(std::string_view bytes) { (send_.busy ? more_ : out_).append(bytes); }

// One send at a time, of everything buffered; the connection's last bytes
// carry the close with them (a linked close: the chain breaks, and the
// close is cancelled, if the send fails or comes up short).
void Connection::flush() {
    if (send_.busy || broken_ || fd_closed_ || splice_out_.busy) return;
    if (!more_.empty()) { // no send holds out_ now: it may grow
        out_.append(more_);
        more_.clear();
    }
    if (output_size() == 0) return splice_next();
    in_flight_ = output_size();
    io_uring_sqe* s = ring_.sqe(send_);
    io_uring_prep_send(s, fd_, out_.data() + sent_, in_flight_, MSG_NOSIGNAL | MSG_WAITALL);
    if (send_since_ms_ == 0) send_since_ms_ = worker_.now_ms();
    if (!close_after_ || stage_ != Stage::ring_app || exchange_.unread_input()) return;
    s->flags |= IOSQE_IO_LINK;
    close_linked_ = true;
    io_uring_prep_close(ring_.sqe(close_), fd_);
}

void Connection::on_send(Op& op, int res, uint32_t) {
    Connection& c = owner(op);
    if (res < 0) {
        c.broken_ = true;
    } else {
        c.sent_ += static_cast<size_t>(res);
        c.send_since_ms_ = 0;
        if (c.sent_ == c.out_.size()) {
            c.out_.clear();
            c.sent_ = 0;
        }
    }
    if (!c.broken_) c.flush();
    c.output_changed();
    c.maybe_release();
}

void Connection::on_close(Op& op, int res, uint32_t) {
    Connection& c = owner(op);
    c.close_linked_ = false;
    if (res >= 0) {
        c.fd_closed_ = true;
    } else if (c.stage_ == Stage::closed) { // cancelled (the send came up short) after all was given up
        c.fd_closed_ = true;
        io_uring_prep_close(c.ring_.sqe_untracked(), c.fd_);
    } else if (!c.broken_ && c.output_size() != 0) {
        c.flush(); // the rest, with the close linked again
    }
    c.maybe_release();
}

void Connection::output_changed() {
    if (stage_ == Stage::ring_app) return exchange_.on_output();
    if (stage_ != Stage::refusing || !output_settled()) return;
    cycle_.end_refused(ref(), refused_);
    ++answered_;
    linger();
}

// ---- files --------------------------------------------------------------------------

void Connection::send_file(int fd, uint64_t offset, uint64_t len, std::function<void(bool)> done) {
    if (pipe_[0] < 0 && ::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) return done(false);
    file_ = FileSend{true, fd, offset, len, 0, std::move(done)};
    flush();
}

// Once the buffered bytes are out: the pipe's bytes to the socket, or the
// next piece of the file into the pipe with its move to the socket linked.
void Connection::splice_next() {
    if (!file_.active || splice_in_.busy || splice_out_.busy) return;
    if (broken_ || cut_) return end_file(false);
    if (file_.in_pipe == 0 && file_.left == 0) return end_file(true);
    if (file_.in_pipe != 0) {
        io_uring_prep_splice(ring_.sqe(splice_out_), pipe_[0], -1, fd_, -1, static_cast<unsigned>(file_.in_pipe), 0);
        return;
    }
    const unsigned piece = static_cast<unsigned>(std::min<uint64_t>(file_.left, kPipeBytes));
    io_uring_sqe* in = ring_.sqe(splice_in_);
    io_uring_prep_splice(in, file_.fd, static_cast<int64_t>(file_.offset), pipe_[1], -1, piece, 0);
    in->flags |= IOSQE_IO_LINK;
    io_uring_prep_splice(ring_.sqe(splice_out_), pipe_[0], -1, fd_, -1, piece, 0);
    if (send_since_ms_ == 0) send_since_ms_ = worker_.now_ms();
}

void Connection::on_splice_in(Op& op, int res, uint32_t) {
    Connection& c = owner(op);
    if (res <= 0) { // a file shorter than promised, or unreadable: the framing cannot be kept
        c.broken_ = true;
    } else {
        c.file_.offset += static_cast<uint64_t>(res);
        c.file_.left -= static_cast<uint64_t>(res);
        c.file_.in_pipe += static_cast<size_t>(res);
    }
    c.maybe_release();
}

// A short move into the pipe breaks the link: the move out then fails
// (-ECANCELED) and is made again for what the pipe holds.
void Connection::on_splice_out(Op& op, int res, uint32_t) {
    Connection& c = owner(op);
    if (res > 0) {
        c.file_.in_pipe -= static_cast<size_t>(res);
        c.send_since_ms_ = 0;
    } else if (res != -ECANCELED && res != -EAGAIN) {
        c.broken_ = true;
    }
    if (c.file_.active && !c.splice_in_.busy) c.splice_next();
    c.maybe_release();
}

void Connection::end_file(bool ok) {
    std::function<void(bool)> done = std::move(file_.done);
    file_ = FileSend{};
    if (done) done(ok);
    flush(); // what the app wrote after the file
    output_changed();
}

// ---- closing ----------------------------------------------------------------------

// Half-close and read what the client still sends, briefly, so that the
// close does not reset a response it has not read yet.
void Connection::linger() {
    if (broken_ || cut_ || fd_closed_) return close();
    stage_ = Stage::linger;
    ::shutdown(fd_, SHUT_WR);
    input_.unpin();
    input_.clear();
    watch_.linger(worker_.now_ms());
    lingered_ = 0;
    arm_select_recv();
}

void Connection::on_linger_bytes(int res, uint32_t flags) {
    if (flags & IORING_CQE_F_BUFFER) ring_.give_back(flags);
    if (res == -ENOBUFS && !cut_) res = 0; // counts as nothing read: wait again
    else if (res <= 0 || (lingered_ += static_cast<size_t>(res)) >= sdk::kLingerBytes) return close();
    watch_.linger_more();
    input_.clear();
    if (res == 0) return arm_direct_recv();
    arm_select_recv();
}

void Connection::close() {
    stage_ = Stage::closed;
    watch_.done();
    ring_.cancel(recv_);
    ring_.cancel(send_);
    ring_.cancel(splice_in_);
    ring_.cancel(splice_out_);
    timer_close();
    if (!fd_closed_ && !close_linked_) {
        fd_closed_ = true;
        io_uring_prep_close(ring_.sqe_untracked(), fd_); // ops still in flight hold the file
    }
}

void Connection::maybe_release() {
    if (released_ || stage_ != Stage::closed) return;
    if (recv_.busy || send_.busy || close_.busy || timer_.busy || splice_in_.busy || splice_out_.busy) return;
    if (exchange_.active() && !exchange_.done()) return; // a PENDING app still holds it
    released_ = true;
    worker_.closed(this);
    delete this;
}

// ---- time -------------------------------------------------------------------------

void Connection::check_deadlines(int64_t now) {
    if (watch_.expired(now)) ring_.cancel(recv_);
    if (body_deadline_ms_ != 0 && now >= body_deadline_ms_) {
        body_deadline_ms_ = 0;
        body_timed_out_ = true;
        ring_.cancel(recv_);
    }
    const bool sending = send_.busy || splice_out_.busy;
    if (sending && send_since_ms_ != 0 && now >= send_since_ms_ + worker_.timeouts().write_ms) {
        broken_ = true; // the client stopped reading
        ring_.cancel(send_);
        ring_.cancel(splice_out_);
    }
}

void Connection::drain(int64_t by_ms) {
    watch_.drain(by_ms);
    // A WebSocket says 1001; a raw stream's read says HORNET_ESHUTDOWN.
    if (stage_ == Stage::ring_app && exchange_.active()) exchange_.drain();
}

void Connection::cut() {
    if (cut_) return;
    cut_ = true;
    if (!fd_closed_) ::shutdown(fd_, SHUT_RDWR);
    ring_.cancel(recv_);
    if (stage_ == Stage::ring_app) exchange_.cut();
    timer_close();
    if (stage_ == Stage::head || stage_ == Stage::linger) close();
    maybe_release();
}

// ---- the exchange's timer ---------------------------------------------------------------

int Connection::timer_start(uint64_t ms, hornet_done_fn done, void* user_data) {
    if (cut_ || stage_ == Stage::closed) return HORNET_ECLOSED;
    if (timer_.busy) return HORNET_EBUSY;
    timer_ts_.tv_sec = static_cast<long long>(ms / 1000);
    timer_ts_.tv_nsec = static_cast<long long>(ms % 1000) * 1000000;
    timer_done_ = done;
    timer_user_data_ = user_data;
    io_uring_prep_timeout(ring_.sqe(timer_), &timer_ts_, 0, 0);
    return HORNET_OK;
}

void Connection::timer_close() {
    if (!timer_.busy || timer_.cancel) return;
    timer_.cancel = true;
    io_uring_prep_timeout_remove(ring_.sqe_untracked(), reinterpret_cast<uint64_t>(&timer_), 0);
}

void Connection::on_timer(Op& op, int res, uint32_t) {
    Connection& c = owner(op);
    const hornet_done_fn done = c.timer_done_;
    c.timer_done_ = nullptr;
    if (done) done(c.timer_user_data_, res == -ETIME ? 0 : HORNET_ECLOSED);
    if (c.owed_.due) {
        c.owed_.due = false;
        c.exchange_done(c.owed_.reusable, c.owed_.unread);
    } else if (c.stage_ == Stage::ring_app) {
        c.exchange_.maybe_done();
    }
    c.maybe_release();
}

} // namespace hornet::uring
