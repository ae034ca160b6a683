// The gthread parking lot: a deadline-ordered intrusive list under a mutex.
#include "parking_lot.hpp"

#include <algorithm>

namespace hornet::gthread {
namespace {

// Nothing of a request here: no request is in flight on it.
bool idle(const Connection* c) { return c->waits_for == sdk::ConnectionWait::request; }

} // namespace

bool ParkingLot::park(Connection* c, sdk::ConnectionWait wait, int64_t deadline_ms) {
    bool wake_poller = false;
    {
        std::lock_guard lock(mu_);
        c->waits_for = wait;
        if (closed_) return false;
        c->deadline_ms = idle(c) ? std::min(deadline_ms, drain_by_ms_) : deadline_ms;
        deadline_ms = c->deadline_ms;
        link(c);
        if (!poller_.arm(c)) {
            unlink(c);
            return false;
        }
        wake_poller = deadline_ms < poller_wakes_at_ms_;
        if (wake_poller) poller_wakes_at_ms_ = deadline_ms;
    }
    if (wake_poller) poller_.wake(); // it sleeps past this deadline
    return true;
}

void ParkingLot::unpark(std::span<Connection* const> ready) {
    std::lock_guard lock(mu_);
    for (Connection* c : ready) unlink(c);
}

void ParkingLot::take_expired(int64_t now_ms, std::vector<Connection*>& out) {
    std::lock_guard lock(mu_);
    while (head_ && head_->deadline_ms <= now_ms) {
        Connection* c = head_;
        unlink(c);
        out.push_back(c);
    }
}

int ParkingLot::wait_ms(int64_t now_ms, int max_ms) {
    std::lock_guard lock(mu_);
    int64_t wait = max_ms;
    if (head_) wait = std::clamp<int64_t>(head_->deadline_ms - now_ms, 0, max_ms);
    poller_wakes_at_ms_ = now_ms + wait;
    return static_cast<int>(wait);
}

// Relinked in deadline order; a drain happens once per worker.
void ParkingLot::drain(int64_t by_ms) {
    std::lock_guard lock(mu_);
    drain_by_ms_ = by_ms;
    std::vector<Connection*> later;
    for (Connection* c = head_; c; c = c->next)
        if (idle(c) && c->deadline_ms > by_ms) later.push_back(c);
    for (Connection* c : later) {
        unlink(c);
        c->deadline_ms = by_ms;
        link(c);
    }
    poller_wakes_at_ms_ = std::min(poller_wakes_at_ms_, by_ms);
}

void ParkingLot::close(std::vector<Connection*>& out) {
    std::lock_guard lock(mu_);
    closed_ = true;
    while (head_) {
        Connection* c = head_;
        unlink(c);
        out.push_back(c);
    }
}

// From the tail: a park's deadline is nearly always the latest.
void ParkingLot::link(Connection* c) {
    Connection* after = tail_;
    while (after && after->deadline_ms > c->deadline_ms) after = after->prev;
    c->prev = after;
    c->next = after ? after->next : head_;
    (c->next ? c->next->prev : tail_) = c;
    (after ? after->next : head_) = c;
}

void ParkingLot::unlink(Connection* c) {
    (c->prev ? c->prev->next : head_) = c->next;
    (c->next ? c->next->prev : tail_) = c->prev;
    c->prev = c->next = nullptr;
}

} // namespace hornet::gthread
