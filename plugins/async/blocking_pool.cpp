// The blocking pool: a locked intrusive FIFO of exchanges and its threads.
#include "blocking_pool.hpp"

#include "async_exchange.hpp"
#include "hornet/sdk/log.hpp"

namespace hornet::async {

BlockingPool::~BlockingPool() {
    stop();
    join();
}

void BlockingPool::start(size_t threads) {
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run_thread(); });
}

void BlockingPool::push(AsyncExchange* x) {
    {
        std::lock_guard lock(mu_);
        x->next_queued = nullptr;
        (tail_ ? tail_->next_queued : head_) = x;
        tail_ = x;
    }
    cv_.notify_one();
}

void BlockingPool::stop() {
    {
        std::lock_guard lock(mu_);
        stopped_ = true;
    }
    cv_.notify_all();
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

// Queued work is still served after stop(): its connection waits for it.
AsyncExchange* BlockingPool::pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stopped_ || head_ != nullptr; });
    AsyncExchange* x = head_;
    if (!x) return nullptr;
    head_ = x->next_queued;
    if (!head_) tail_ = nullptr;
    return x;
}

void BlockingPool::run_thread() {
    while (AsyncExchange* x = pop()) x->run_on_pool(); // never throws
}

} // namespace hornet::async
