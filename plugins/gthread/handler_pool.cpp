// The gthread handler threads.
#include "handler_pool.hpp"

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
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run_thread(); });
}

void HandlerPool::join() {
    for (std::thread& t : threads_) {
        if (t.joinable()) t.join();
    }
}

void HandlerPool::run_thread() {
    try {
        sdk::BlockingConnection connection(ctx_, options_);
        while (Connection* c = queue_.pop()) serve_(connection, c);
    } catch (const std::exception& e) {
        // Only the BlockingConnection's first buffers can throw (memory).
        support::logf(ctx_->host, HORNET_LOG_ERROR, "gthread handler thread failed: %s", e.what());
    }
}

} // namespace hornet::gthread
