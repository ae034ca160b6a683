// hornet/sdk/blocking_pool.hpp: the `threads` threads on which an event-loop
// worker type serves the requests of an app that does not declare itself
// NONBLOCKING (ASGI's rule for WSGI apps), so that it cannot stall the loop.
//
// The loop pushes a task (a connection whose head it has parsed); a pool
// thread calls its serve_on_pool(), which serves that one request (the
// SDK's BlockingExchange on the socket, the loop leaving the connection
// alone) and hands the connection back to the loop. FIFO, intrusive
// (WorkQueue): a push allocates nothing. [loop] start(), push(), stop(),
// join(), detach(); serve_on_pool() [pool thread], must not throw.
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

#include "hornet/sdk/work_queue.hpp"

namespace hornet::sdk {

class PoolTask {
public:
    virtual void serve_on_pool() noexcept = 0;
    PoolTask* next_task = nullptr; // the queue's link

protected:
    ~PoolTask() = default;
};

class BlockingPool {
public:
    BlockingPool() = default;
    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;
    ~BlockingPool(); // stop(), join()

    void start(size_t threads); // throws std::system_error
    void push(PoolTask* task) { queue_.push(task); }
    // No more work: each thread leaves once the queue is empty (queued
    // requests are still served: their connections wait for them).
    void stop() { queue_.close(); }
    void join();
    // Let threads still inside an app go (the process is leaving without them).
    void detach();

private:
    WorkQueue<PoolTask, &PoolTask::next_task> queue_;
    std::vector<std::thread> threads_;
};

} // namespace hornet::sdk
