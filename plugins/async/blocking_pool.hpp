// plugins/async/blocking_pool.hpp: the `threads` threads on which an async
// worker serves the requests of an app that does not declare itself
// NONBLOCKING (ASGI's rule for WSGI apps), so that it cannot stall the loop.
//
// The loop pushes a connection whose head it has parsed; a pool thread
// serves that request (Connection::serve_on_pool) and hands the connection
// back to the loop. FIFO, intrusive (sdk::WorkQueue).
//   [loop]  start(), push(), stop(), join(), detach()
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

#include "connection.hpp"
#include "hornet/sdk/work_queue.hpp"

namespace hornet::async {

class BlockingPool {
public:
    ~BlockingPool(); // stop(), join()

    void start(size_t threads); // throws std::system_error
    void push(Connection* c) { queue_.push(c); }
    // No more work: each thread leaves once the queue is empty (queued
    // requests are still served: their connections wait for them).
    void stop() { queue_.close(); }
    void join();
    // Let threads still inside an app go (the process is leaving without them).
    void detach();

private:
    sdk::WorkQueue<Connection, &Connection::next_queued> queue_;
    std::vector<std::thread> threads_;
};

} // namespace hornet::async
