// The sync worker's accept loop.
#include "sync_worker.hpp"

namespace hornet::sync {

SyncWorker::SyncWorker(const hornet_worker_ctx_t* ctx)
    : ctx_(ctx), timeouts_(sdk::Timeouts::from(ctx->limits)),
      // One request per connection; queue time from the first read's kernel timestamp.
      listeners_(ctx, sdk::ListenerSet::FirstAck::delayed, sdk::ListenerSet::QueueClock::first_read),
      tls_(ctx), connection_(ctx, sdk::ConnectionOptions{false, "http", &tls_}) {}

int SyncWorker::run() {
    ctx_->ready(ctx_);
    for (;;) {
        ctx_->heartbeat(ctx_);
        const auto wake = listeners_.wait(static_cast<int>(timeouts_.beat_ms));
        if (wake == sdk::ListenerSet::Wake::stop) return 0;
        if (wake == sdk::ListenerSet::Wake::ready && serve_ready()) return 0;
    }
}

// true: time to leave.
bool SyncWorker::serve_ready() {
    for (size_t i = 0; i < listeners_.size(); ++i) {
        if (listeners_.ready(i) && serve_listener(i)) return true;
    }
    return false;
}

// One connection per wake-up: the (level-triggered) wait returns at once
// while more are queued, and a second accept would mostly find nothing.
bool SyncWorker::serve_listener(size_t i) {
    sdk::ConnectionAddresses addresses;
    const int fd = listeners_.accept(i, addresses);
    if (fd < 0) return false;
    connection_.serve(fd, addresses);
    return listeners_.stop_requested();
}

} // namespace hornet::sync
