// The gthread handler threads: a locked FIFO of ready connections.
#include "handler_pool.hpp"

#include <algorithm>

#include "hornet/sdk/log.hpp"

namespace hornet::gthread {

HandlerPool::HandlerPool(const hornet_worker_ctx_t* ctx, const sdk::ConnectionOptions& options, Serve serve)
    : ctx_(ctx), options_(options), serve_(std::move(serve)) {}

HandlerPool::~HandlerPool() {
    std::vector<Connection*> ignored; // only after a failed boot; the process is leaving
    stop(ignored);
    join();
}

void HandlerPool::start(size_t threads) {
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run_thread(); });
}

void HandlerPool::push(std::span<Connection* const> ready) {
    if (ready.empty()) return;
    size_t wake = 0;
    {
        std::lock_guard lock(mu_);
        for (Connection* c : ready) {
            c->next_ready = nullptr;
            (tail_ ? tail_->next_ready : head_) = c;
            tail_ = c;
        }
        wake = std::min(ready.size(), sleeping_);
    }
    // Wake no more threads than there is work for: a spare wake-up is a
    // thread switch for nothing.
    for (size_t i = 0; i < wake; ++i) cv_.notify_one();
}

void HandlerPool::stop(std::vector<Connection*>& out) {
    {
        std::lock_guard lock(mu_);
        stopped_ = true;
        for (Connection* c = head_; c; c = c->next_ready) out.push_back(c);
        head_ = tail_ = nullptr;
    }
    cv_.notify_all();
}

void HandlerPool::join() {
    for (std::thread& t : threads_) {
        if (t.joinable()) t.join();
    }
}

Connection* HandlerPool::pop() {
    std::unique_lock lock(mu_);
    ++sleeping_;
    cv_.wait(lock, [this] { return stopped_ || head_ != nullptr; });
    --sleeping_;
    if (stopped_) return nullptr;
    Connection* c = head_;
    head_ = c->next_ready;
    if (!head_) tail_ = nullptr;
    return c;
}

void HandlerPool::run_thread() {
    try {
        sdk::BlockingConnection connection(ctx_, options_);
        while (Connection* c = pop()) serve_(connection, c);
    } catch (const std::exception& e) {
        // Only the BlockingConnection's first buffers can throw (memory).
        sdk::logf(ctx_->host, HORNET_LOG_ERROR, "gthread handler thread failed: %s", e.what());
    }
}

} // namespace hornet::gthread
