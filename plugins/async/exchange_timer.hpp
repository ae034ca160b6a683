// plugins/async/exchange_timer.hpp: the one timer of the "hornet.timer/1"
// extension an exchange may run, on the worker's loop.
//
// Owned by the connection and shared by whichever exchange serves its
// request (on the loop, or on the blocking pool), so it outlives them all:
// the connection moves on only once the timer is idle. done runs exactly
// once per start(): with 0 when the time is up, with HORNET_ECLOSED when the
// exchange was closed (finished, or the worker stops) first. [loop]
#pragma once

#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hornet/abi.h"

namespace hornet::async {

class ExchangeTimer {
public:
    // settled: runs after each done callback (the connection re-checks).
    ExchangeTimer(boost::asio::io_context& io, std::function<void()> settled)
        : timer_(io), settled_(std::move(settled)) {}

    // A new exchange: the timer may start again.
    void open() { closed_ = false; }
    // HORNET_OK (done will run), HORNET_EBUSY or HORNET_ECLOSED.
    int start(uint64_t ms, hornet_done_fn done, void* user_data);
    // The exchange is finished or cut: a running timer ends now.
    void close();
    bool busy() const { return busy_; }

private:
    boost::asio::steady_timer timer_;
    std::function<void()> settled_;
    hornet_done_fn done_ = nullptr;
    void* user_data_ = nullptr;
    bool busy_ = false;
    bool closed_ = false;
};

} // namespace hornet::async
