// plugins/gthread/handler_pool.hpp: the `threads` handler threads of a
// gthread worker and their queue of ready connections.
//
// The poller pushes connections that have a request waiting (readable, or
// fresh from accept) into the SDK's WorkQueue; each handler thread takes
// one, serves it with its own SDK BlockingConnection through the Serve
// callback (which parks or closes it), and takes the next. A handler that
// finds work queued never sleeps, so under load a request costs no thread
// switch beyond the poller's. FIFO: the oldest ready connection is served
// first.
// Each thread says since when it holds its connection, so the poller can
// tell a worker whose every thread hangs (all_held_longer_than).
//   [poller]   start(), push(), stop(), join(), all_held_longer_than()
//   [handler]  the Serve callback
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "connection.hpp"
#include "hornet/sdk/blocking_connection.hpp"
#include "hornet/sdk/work_queue.hpp"

namespace hornet::gthread {

class HandlerPool {
public:
    // Runs on a handler thread; must not throw; parks or closes c.
    using Serve = std::function<void(sdk::BlockingConnection&, Connection*)>;

    HandlerPool(const hornet_worker_ctx_t* ctx, const sdk::ConnectionOptions& options, Serve serve);
    ~HandlerPool(); // stop() and join()

    // Throws std::system_error when a thread cannot be started.
    void start(size_t threads);

    void push(std::span<Connection* const> ready) { queue_.push(ready); }

    // No more work: each thread leaves after the connection it holds. Appends
    // the connections still queued to out.
    void stop(std::vector<Connection*>& out) { queue_.close(out); }
    void join();

    // Has every thread held its current connection for longer than ms (as
    // of now, sdk::monotonic_ms())? False with no threads.
    bool all_held_longer_than(int64_t now, int64_t ms) const;

private:
    void run_thread(size_t index);

    const hornet_worker_ctx_t* ctx_;
    sdk::ConnectionOptions options_;
    Serve serve_;
    sdk::WorkQueue<Connection, &Connection::next_ready> queue_;
    std::vector<std::thread> threads_;
    std::unique_ptr<std::atomic<int64_t>[]> held_since_; // per thread; 0: waiting for work
};

} // namespace hornet::gthread
