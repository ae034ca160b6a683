// The gthread handler threads.
#include "handler_pool.hpp"

#include <algorithm>

#include "hornet/support/log.hpp"

namespace hornet::gthread {

HandlerPool::HandlerPool(const hornet_worker_ctx_t* ctx, const sdk::ConnectionOptions& options, Serve serve)
    : ctx_(ctx), options_(options), serve_(std::move(serve)) {}

HandlerPool::~HandlerPool() {
    std::vector<Connection*> ignored; // only after a failed boot; the process is leaving
    stop(ignored);
    join();
}

void HandlerPool::start(size_t threads) {
    held_since_ = std::make_unique<std::atomic<int64_t>[]>(threads);
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run_thread(i); });
}

bool HandlerPool::all_held_longer_than(int64_t now, int64_t ms) const {
    for (size_t i = 0; i < threads_.size(); ++i) {
        const int64_t since = held_since_[i].load(std::memory_order_relaxed);
        if (since == 0 || now - since <= ms) return false;
    }
    return !threads_.empty();
}

void HandlerPool::join() {
    for (std::thread& t : threads_) {
        if (t.joinable()) t.join();
    }
}

void HandlerPool::run_thread(size_t index) {
    std::atomic<int64_t>& held_since = held_since_[index];
    try {
        sdk::BlockingConnection connection(ctx_, options_);
        while (Connection* c = queue_.pop()) {
            held_since.store(std::max<int64_t>(sdk::monotonic_ms(), 1), std::memory_order_relaxed);
            serve_(connection, c);
            held_since.store(0, std::memory_order_relaxed);
        }
    } catch (const std::exception& e) {
        // Only the BlockingConnection's first buffers can throw (memory).
        support::logf(ctx_->host, HORNET_LOG_ERROR, "gthread handler thread failed: %s", e.what());
    }
}

} // namespace hornet::gthread
