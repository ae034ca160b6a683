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
//   [poller]   start(), push(), stop(), join()
//   [handler]  the Serve callback
#pragma once

#include <cstddef>
#include <functional>
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

private:
    void run_thread();

    const hornet_worker_ctx_t* ctx_;
    sdk::ConnectionOptions options_;
    Serve serve_;
    sdk::WorkQueue<Connection, &Connection::next_ready> queue_;
    std::vector<std::thread> threads_;
};

} // namespace hornet::gthread
