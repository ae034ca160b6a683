// plugins/gthread/parking_lot.hpp: the connections that wait in the poller,
// not in a thread, between requests.
//
// A handler thread parks a connection it is done with (idle keep-alive, or a
// partial head) with a deadline; the poller takes it out again when its
// socket becomes readable or its deadline passes. The list is kept in
// deadline order: parks of one kind share one duration, so a park almost
// always appends, and expiry pops from the front. Arming the connection in
// the epoll happens under the lock, so the poller can never see an event for
// a connection that is not in the lot yet.
//   [handler]  park()
//   [poller]   unpark(), take_expired(), wait_ms(), drain(), close()
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "connection.hpp"
#include "poller.hpp"

namespace hornet::gthread {

class ParkingLot {
public:
    explicit ParkingLot(Poller& poller) : poller_(poller) {}

    // Parks c until it is readable or deadline_ms. false: not taken (the lot
    // is closed, or the kernel refused); the caller closes c.
    bool park(Connection* c, sdk::ConnectionWait wait, int64_t deadline_ms);

    // These became readable: they leave the lot.
    void unpark(std::span<Connection* const> ready);

    // Appends to out, in deadline order, those whose deadline has passed;
    // they leave the lot still registered in the epoll.
    void take_expired(int64_t now_ms, std::vector<Connection*>& out);

    // How long the poller may sleep: until the first deadline, at most
    // max_ms. Remembered, so a park with an earlier deadline wakes it.
    int wait_ms(int64_t now_ms, int max_ms);

    // A graceful stop: idle connections (nothing of a request buffered:
    // kept alive between requests, or silent since accept) wait no later
    // than by_ms, now and when parked from now on, so a request on its way
    // is still answered (with Connection: close) and the worker can leave.
    // Connections waiting for the rest of a head keep their deadline: that
    // request is in flight.
    void drain(int64_t by_ms);

    // Refuses every park from now on and appends the parked ones to out.
    void close(std::vector<Connection*>& out);

private:
    void link(Connection* c);   // mu_ held
    void unlink(Connection* c); // mu_ held

    Poller& poller_;
    std::mutex mu_;
    Connection* head_ = nullptr; // earliest deadline
    Connection* tail_ = nullptr;
    int64_t poller_wakes_at_ms_ = INT64_MAX;
    int64_t drain_by_ms_ = INT64_MAX; // idle connections wait no longer
    bool closed_ = false;
};

} // namespace hornet::gthread
