// plugins/async/blocking_pool.hpp: the `threads` threads on which an async
// worker runs the handle() of an app that does not declare itself
// NONBLOCKING (ASGI's rule for WSGI apps), so that it cannot stall the loop.
//
// The loop pushes exchanges; a pool thread calls the app, whose blocking
// ops are marshalled onto the loop while the thread waits. FIFO, intrusive
// (no allocation per request).
//   [loop]  start(), push(), stop(), join()
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "hornet/host.h"

namespace hornet::async {

class AsyncExchange;

class BlockingPool {
public:
    explicit BlockingPool(const hornet_host_t* host) : host_(host) {}
    ~BlockingPool(); // stop(), join()

    void start(size_t threads); // throws std::system_error
    void push(AsyncExchange* x);
    // No more work: each thread leaves once idle.
    void stop();
    void join();
    // Let threads still inside an app go (the process is leaving without them).
    void detach();

private:
    void run_thread();
    AsyncExchange* pop(); // null once stopped

    const hornet_host_t* host_;
    std::mutex mu_;
    std::condition_variable cv_;
    AsyncExchange* head_ = nullptr; // mu_
    AsyncExchange* tail_ = nullptr; // mu_
    bool stopped_ = false;          // mu_
    std::vector<std::thread> threads_;
};

} // namespace hornet::async
