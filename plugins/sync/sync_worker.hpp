// plugins/sync/sync_worker.hpp: the sync worker type's loop.
//
// Gunicorn's sync worker, natively: wait on every listener and the stop fd,
// accept a connection (losing the race to another worker is normal), serve
// its one request through the SDK's BlockingConnection, close, repeat. The
// heartbeat is beaten between connections and on every poll timeout; a
// request that takes longer than `timeout` gets the worker killed by the
// arbiter, as in Gunicorn. Runs on the worker process's main thread.
#pragma once

#include "hornet/sdk/blocking_connection.hpp"
#include "hornet/sdk/limits.hpp"
#include "hornet/sdk/listener_set.hpp"
#include "hornet/sdk/tls/tls_listeners.hpp"
#include "hornet/worker.h"

namespace hornet::sync {

class SyncWorker {
public:
    explicit SyncWorker(const hornet_worker_ctx_t* ctx);

    // Serves until stopped; returns the exit code.
    int run();

private:
    bool serve_ready();
    bool serve_listener(size_t i);

    const hornet_worker_ctx_t* ctx_;
    sdk::Timeouts timeouts_;
    sdk::ListenerSet listeners_;
    sdk::TlsListeners tls_; // before connection_, which points to it
    sdk::BlockingConnection connection_;
};

} // namespace hornet::sync
