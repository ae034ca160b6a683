// plugins/uring/blocking_pool.hpp: the `threads` threads on which a uring
// worker serves the requests of an app that is not NONBLOCKING, so it
// cannot stall the ring. The ring thread pushes a connection whose head it
// has parsed; a pool thread serves that one request with the SDK's blocking
// exchange (Connection::serve_on_pool) and posts the connection back.
//   [ring thread] start(), push(), stop(), join(), detach()
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

#include "hornet/sdk/work_queue.hpp"

namespace hornet::uring {

class Connection;

struct PoolItem {
    Connection* connection = nullptr;
    PoolItem* next = nullptr;
};

class BlockingPool {
public:
    ~BlockingPool();

    void start(size_t threads); // throws std::system_error
    void push(PoolItem* item) { queue_.push(item); }
    void stop() { queue_.close(); }
    void join();
    void detach(); // threads still inside an app are left behind

private:
    sdk::WorkQueue<PoolItem, &PoolItem::next> queue_;
    std::vector<std::thread> threads_;
};

} // namespace hornet::uring
