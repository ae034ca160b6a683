// apps/wsgi/wsgi_entry.cpp: the wsgi app's descriptor and its C entry points.
//
// THREAD_SAFE: the bridge takes the GIL itself and drops it around every
// hornet call that may block, so gthread's threads (and the async worker's
// pool) run Python in turn. Not NONBLOCKING: a WSGI app blocks. No C++
// exception leaves these functions: each becomes a HORNET_E* and a log line.
#include <cstdio>
#include <exception>
#include <memory>

#include "hornet/app.h"
#include "hornet/support/abi_guard.hpp"
#include "thread_dump.hpp"
#include "wsgi_app.hpp"
#include "wsgi_config.hpp"
#include "python_shared.hpp"

namespace {

using hornet::wsgi::WsgiApp;

void put_error(char* err, size_t cap, const char* line) {
    if (err && cap) std::snprintf(err, cap, "%s", line);
}

int wsgi_create(const hornet_host_t* host, void** instance, char* err, size_t err_cap) {
    if (!host || !instance) return HORNET_EINVAL;
    *instance = nullptr;
    try {
        *instance = WsgiApp::make(host).release();
        return HORNET_OK;
    } catch (const std::bad_alloc&) {
        put_error(err, err_cap, "wsgi: out of memory");
        return HORNET_ENOMEM;
    } catch (const std::exception& e) {
        put_error(err, err_cap, e.what());
    } catch (...) {
        put_error(err, err_cap, "wsgi: unknown error while starting");
    }
    return HORNET_EINVAL;
}

void wsgi_destroy(void* instance) {
    try {
        delete static_cast<WsgiApp*>(instance);
    } catch (...) {
        // nothing to tell anyone: the process is leaving
    }
}

int wsgi_handle(void* instance, hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    auto* app = static_cast<WsgiApp*>(instance);
    if (!app || !x || !ops) return HORNET_EINVAL;
    const int rc = hornet::support::guarded(app->host(), "wsgi handle()", int{HORNET_EINTERNAL}, [&] {
        app->handle(x, ops);
        return HORNET_OK;
    });
    // handle() finishes the exchange itself; only a C++ exception escaped it
    // before finish(), and then the worker finishes it with a 500.
    return rc == HORNET_OK ? HORNET_DONE : rc;
}

// ABI 1.2: in the arbiter, before any fork; reads app_config and looks at the
// folders it names, starts no interpreter.
int wsgi_check_config(const hornet_host_t* host, char* err, size_t err_cap) {
    if (!host) return HORNET_EINVAL;
    try {
        hornet::wsgi::check_config(host);
        return HORNET_OK;
    } catch (const std::exception& e) {
        put_error(err, err_cap, e.what());
    } catch (...) {
        put_error(err, err_cap, "wsgi: unknown error while checking app_config");
    }
    return HORNET_EINVAL;
}

void wsgi_worker_start(void* instance) {
    auto* app = static_cast<WsgiApp*>(instance);
    hornet::support::guarded(app->host(), "wsgi worker_start()", 0, [&] {
        app->worker_start();
        return 0;
    });
}

void wsgi_worker_exit(void* instance) {
    auto* app = static_cast<WsgiApp*>(instance);
    hornet::support::guarded(app->host(), "wsgi worker_exit()", 0, [&] {
        app->worker_exit();
        return 0;
    });
}

// ABI 1.3: the Python side of a stack dump, from the host's dump thread.
int wsgi_dump_stacks(void*, int fd) { return hornet::python::dump_python_threads(fd); }

const hornet_app_t kWsgi = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "wsgi",
    .version = "1.0.0",
    .flags = HORNET_APP_THREAD_SAFE,
    .create = wsgi_create,
    .destroy = wsgi_destroy,
    .worker_start = wsgi_worker_start,
    .worker_exit = wsgi_worker_exit,
    .handle = wsgi_handle,
    .check_config = wsgi_check_config,
    .dump_stacks = wsgi_dump_stacks,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_app_t* hornet_app_entry(uint32_t, uint32_t) { return &kWsgi; }
