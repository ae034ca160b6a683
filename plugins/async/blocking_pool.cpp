// The blocking pool's threads.
#include "blocking_pool.hpp"

namespace hornet::async {

BlockingPool::~BlockingPool() {
    stop();
    join();
}

void BlockingPool::start(size_t threads) {
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this] {
            while (Connection* c = queue_.pop()) c->serve_on_pool(); // never throws
        });
}

void BlockingPool::join() {
    for (std::thread& t : threads_) {
        if (t.joinable()) t.join();
    }
}

void BlockingPool::detach() {
    for (std::thread& t : threads_) {
        if (t.joinable()) t.detach();
    }
}

} // namespace hornet::async
