// apps/asgi/asgi_app.hpp: one process's ASGI app.
//
// design: asyncio runs on a thread of its own in each worker (one event
// loop per process, uvloop when importable); the worker type's Asio loop
// thread calls handle(), which never takes the GIL: it queues the request
// (or WebSocket handshake: "hornet.websocket/1") in the inbox
// (event_inbox.hpp) and returns PENDING. The asyncio thread
// builds the scope and runs the app as a task; what the app sends goes back
// to the Asio loop as Ops posted with hornet.loop/1 (request_state.hpp).
// So the Asio thread keeps parsing and writing while Python runs, and the
// hand-off costs one eventfd write per batch each way.
//
// create() (make()) starts the interpreter and imports the app; in a
// worker it also starts the loop and runs lifespan startup, so a failed
// startup is create()'s one-line error (a boot failure). With preload_app
// create() runs in the arbiter, where no thread may start before fork: the
// loop and startup wait for worker_start, and a failure there ends the
// worker with HORNET_EXIT_BOOT_FAILED. worker_exit runs lifespan shutdown
// (after the worker's last exchange), then stops the loop.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "asgi_config.hpp"
#include "bridge.hpp"
#include "code_reloader.hpp"
#include "event_inbox.hpp"
#include "hornet/app.h"
#include "hornet/ext.h"
#include "py_ref.hpp"

namespace hornet::asgi {

class AsgiApp {
public:
    // Throws python::PythonError with one line; the GIL is released on return.
    static std::unique_ptr<AsgiApp> make(const hornet_host_t* host);
    ~AsgiApp();

    const hornet_host_t* host() const { return host_; }

    void worker_start(); // [worker main]
    void worker_exit();  // [worker main]

    // [loop thread] Queues the request; HORNET_PENDING, or HORNET_DONE once
    // it finished the exchange itself (no loop service: a worker type
    // without an event loop).
    int handle(hornet_exchange_t* x, const hornet_exchange_ops_t* ops);

    // [asyncio thread] The inbox's eventfd is readable.
    void drain();

private:
    explicit AsgiApp(const hornet_host_t* host) : host_(host) {}
    void load(const AsgiConfig& config);
    std::string start_serving(); // "" or why not
    void stop_serving();
    void use_task_type();
    // "hornet.websocket/1" when x asks for an upgrade and the worker type offers it.
    const hornet_websocket_ext_t* websocket_of(hornet_exchange_t* x, const hornet_exchange_ops_t* ops);

    const hornet_host_t* host_;
    AsgiConfig config_;
    python::PyRef helpers_, lifespan_, loop_;
    Bridge bridge_;
    std::unique_ptr<EventInbox> inbox_;
    std::thread thread_; // asyncio's, between start_serving and stop_serving
    bool serving_ = false;
    const hornet_loop_ext_t* loop_ext_ = nullptr; // [loop thread] the worker type's
    const hornet_websocket_ext_t* ws_ext_ = nullptr; // [loop thread] the worker type's, or none
    bool ws_ext_looked_up_ = false;
    std::unique_ptr<python::CodeReloader> reloader_;
};

} // namespace hornet::asgi
