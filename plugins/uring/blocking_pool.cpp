// The pool's threads: pop a connection, serve its request, repeat.
#include "blocking_pool.hpp"

#include "connection.hpp"

namespace hornet::uring {

BlockingPool::~BlockingPool() {
    stop();
    join();
}

void BlockingPool::start(size_t threads) {
    for (size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this] {
            while (PoolItem* item = queue_.pop()) item->connection->serve_on_pool();
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

} // namespace hornet::uring
