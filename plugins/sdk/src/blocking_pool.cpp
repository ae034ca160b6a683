// The blocking pool's threads: pop a task, serve it, repeat.
#include "hornet/sdk/blocking_pool.hpp"

namespace hornet::sdk {

BlockingPool::~BlockingPool() {
    stop();
    join();
}

void BlockingPool::start(size_t threads) {
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this] {
            while (PoolTask* task = queue_.pop()) task->serve_on_pool();
        });
}

void BlockingPool::join() {
    for (std::thread& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

void BlockingPool::detach() {
    for (std::thread& t : threads_)
        if (t.joinable()) t.detach();
    threads_.clear();
}

} // namespace hornet::sdk
