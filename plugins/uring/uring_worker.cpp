// The uring worker's loop: accepting, the tick (clock, heartbeat, stop
// mode, deadlines), the mailbox and the stops.
#include "uring_worker.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connection.hpp"
#include "hornet/sdk/access_record.hpp"
#include "hornet/sdk/loop_extensions.hpp"
#include "hornet/support/log.hpp"

namespace hornet::uring {
namespace {

thread_local const UringWorker* tl_ring_owner = nullptr;

template <class T>
T& owner(Op& op) { return *static_cast<T*>(op.owner); }

} // namespace

UringWorker::UringWorker(const hornet_worker_ctx_t* ctx)
    : LoopWorker(ctx), listeners_(ctx) {
    for (size_t i = 0; i < listeners_.size(); ++i) {
        auto l = std::make_unique<Listener>(Listener{this, i, {}});
        l->accept.fn = on_accept;
        l->accept.owner = l.get();
        accepting_.push_back(std::move(l));
    }
    tick_op_ = {on_tick, this};
    stop_op_ = {on_stop_fd, this};
    mailbox_op_ = {on_mailbox, this};
}

UringWorker::~UringWorker() = default;

bool UringWorker::in_ring_thread() const { return tl_ring_owner == this; }

int UringWorker::run() {
    tl_ring_owner = this;
    tick().read_clock();
    sdk::provide_loop_extensions(ctx());
    if (!(ctx()->app->flags & HORNET_APP_NONBLOCKING)) pool_.start(std::max<uint32_t>(ctx()->limits->threads, 1));
    for (auto& l : accepting_) arm_accept(*l);
    arm_stop_watch();
    arm_mailbox();
    arm_tick();
    tick().begin();
    ctx()->ready(ctx());
    follow_stop_mode(); // a stop that came while booting
    while (!ended_) {
        mailbox_.run_deferred();
        if (ended_) break;
        ring_.run_once(mailbox_.has_deferred() ? 0 : 1);
    }
    pool_.stop();
    if (abandoned()) pool_.detach();
    else pool_.join();
    tl_ring_owner = nullptr;
    return 0;
}

// ---- accepting ------------------------------------------------------------------------

// A multishot accept per listener: one submission, a completion per
// connection. Like a single accept it waits on the listener as an exclusive
// waiter (a connection wakes one worker), but it keeps its place in the
// listener's wait queue, so the worker that joined first gets every wake-up,
// and while it is busy the wake-ups queue up for it instead of passing to an
// idle sibling: of 50 clients connecting one after another, one of 2
// workers got all 50. So after each loop pass in which it accepted, the
// worker cancels it and arms it again from its last completion: it rejoins
// the queue's tail, behind its siblings, which take turns as with single
// accepts (25 and 25), at a cancel per pass with connections instead of a
// submission per connection. The accept writes no peer address: adopt()
// asks getpeername().
void UringWorker::arm_accept(Listener& l) {
    if (l.accept.busy) return;
    l.rejoin = false;
    io_uring_prep_multishot_accept(ring_.sqe(l.accept), listeners_.fd(l.index), nullptr, nullptr,
                                   SOCK_NONBLOCK | SOCK_CLOEXEC);
}

void UringWorker::on_accept(Op& op, int res, uint32_t flags) {
    Listener& l = owner<Listener>(op);
    UringWorker& w = *l.worker;
    if (res >= 0) w.open_connection(l, res);
    else if (res == -EMFILE || res == -ENFILE || res == -ENOMEM || res == -ENOBUFS)
        support::logf(w.ctx()->host, HORNET_LOG_ERROR, "accept: %s; raise the open-file limit", std::strerror(-res));
    if (flags & IORING_CQE_F_MORE) {
        if (res >= 0) w.rejoin_after_pass(l);
        return;
    }
    // Its last completion (cancelled, or ended by an error): re-armed while
    // serving with room; the tick re-arms after a cap or an error.
    if (w.phase() == Phase::serving && w.open_ < w.cap() && res != -EMFILE && res != -ENFILE) w.arm_accept(l);
    w.check_finished(); // a stop waits for its cancelled accepts
}

// Deferred: runs once this pass's completions are handled.
void UringWorker::rejoin_after_pass(Listener& l) {
    if (l.rejoin) return;
    l.rejoin = true;
    mailbox_.defer([this, &l] {
        if (!l.rejoin) return; // ended and re-armed meanwhile: already at the tail
        l.rejoin = false;
        ring_.cancel(l.accept);
    });
}

void UringWorker::open_connection(Listener& l, int fd) {
    // An accept the kernel completed as a graceful stop began is a client
    // that connected in time: served (its answer says Connection: close).
    if (phase() == Phase::stopping) {
        ::close(fd);
        return;
    }
    sdk::ConnectionAddresses addresses;
    listeners_.adopt(l.index, fd, nullptr, 0, addresses);
    Connection* c = nullptr;
    try {
        c = new (std::nothrow) Connection(*this, fd, addresses);
    } catch (const std::exception& e) {
        support::logf(ctx()->host, HORNET_LOG_ERROR, "uring worker: cannot serve a connection: %s", e.what());
    }
    if (!c) {
        ::close(fd);
        return;
    }
    c->next = head_;
    if (head_) head_->prev = c;
    head_ = c;
    if (++open_ >= cap()) pause_accepting();
    if (ctx()->count) ctx()->count(ctx(), HORNET_COUNT_CONNECTIONS, 1);
    c->start();
}

bool UringWorker::accepting() const {
    return std::any_of(accepting_.begin(), accepting_.end(), [](const auto& l) { return l->accept.busy; });
}

// A soft cap: the connections one wake-up of a multishot accept took from
// the listener's queue before the cancel are still served.
void UringWorker::pause_accepting() {
    paused_ = true;
    for (auto& l : accepting_) ring_.cancel(l->accept);
}

void UringWorker::closed(Connection* c) {
    (c->prev ? c->prev->next : head_) = c->next;
    if (c->next) c->next->prev = c->prev;
    if (ctx()->count) ctx()->count(ctx(), HORNET_COUNT_CONNECTIONS, -1);
    --open_;
    tick().closed();
    if (paused_ && open_ < cap() && phase() == Phase::serving) {
        paused_ = false;
        for (auto& l : accepting_) arm_accept(*l);
    }
    check_finished();
}

// ---- the tick, the stop fd, the mailbox ---------------------------------------------------

void UringWorker::arm_tick() {
    tick_ts_ = {0, sdk::WorkerTick::kPeriodMs * 1000000};
    io_uring_prep_timeout(ring_.sqe(tick_op_), &tick_ts_, 0, 0);
}

void UringWorker::on_tick(Op& op, int, uint32_t) {
    UringWorker& w = owner<UringWorker>(op);
    if (w.ended_) return;
    w.tick_now();
    if (!w.ended_) w.arm_tick();
}

void UringWorker::tick_now() {
    tick().tick(open_);
    follow_stop_mode();
    if (phase() == Phase::serving && !paused_)
        for (auto& l : accepting_) arm_accept(*l); // an accept ended by an error
    for (Connection* c = head_; c;) {
        Connection* next = c->next;
        c->check_deadlines(now_ms());
        c = next;
    }
    check_finished();
}

// The stop fd stays readable once written; the tick follows the mode after.
void UringWorker::arm_stop_watch() {
    if (ctx()->stop_fd < 0) return;
    io_uring_prep_poll_add(ring_.sqe(stop_op_), ctx()->stop_fd, POLLIN);
}

void UringWorker::on_stop_fd(Op& op, int, uint32_t) { owner<UringWorker>(op).follow_stop_mode(); }

void UringWorker::arm_mailbox() {
    io_uring_prep_read(ring_.sqe(mailbox_op_), mailbox_.fd(), &mailbox_word_, sizeof mailbox_word_, 0);
}

void UringWorker::on_mailbox(Op& op, int, uint32_t) {
    UringWorker& w = owner<UringWorker>(op);
    w.tick().read_clock(); // work from other threads may set deadlines
    w.mailbox_.run_posted();
    if (!w.ended_) w.arm_mailbox();
}

// ---- stopping -------------------------------------------------------------------------

void UringWorker::follow_stop_mode() {
    const StopStep step = stop_step();
    if (step == StopStep::stop_now) stop_now();
    else if (step == StopStep::leave) begin_leaving();
}

void UringWorker::begin_leaving() {
    if (!enter_leaving(open_)) return;
    for (auto& l : accepting_) ring_.cancel(l->accept);
    for (Connection* c = head_; c; c = c->next) c->drain(drain_by_ms());
    check_finished();
}

void UringWorker::stop_now() {
    if (!enter_stopping()) return;
    for (auto& l : accepting_) ring_.cancel(l->accept);
    for (Connection* c = head_; c;) {
        Connection* next = c->next; // cut() may free it
        c->cut();
        c = next;
    }
    check_finished();
}

// The worker leaves once no connection is open and no accept is in flight:
// an accept being cancelled may still complete with a client's connection
// (the kernel took it off the listener's queue for this worker), which is
// then served; leaving first would reset it with its request unanswered.
void UringWorker::check_finished() {
    if (ended_) return;
    switch (verdict(open_, accepting())) {
    case Verdict::stay: return;
    case Verdict::stop_now: return stop_now();
    case Verdict::end:
    case Verdict::abandon: ended_ = true; return;
    }
}

} // namespace hornet::uring
