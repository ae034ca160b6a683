// apps/asgi/asgi_entry.cpp: the asgi app's descriptor and its C entry points.
//
// NONBLOCKING: handle() only queues the request for the asyncio thread and
// returns PENDING, so the async worker calls it on its loop. THREAD_SAFE:
// it takes no GIL and touches only the inbox's lock. No C++ exception
// leaves these functions: each becomes a HORNET_E* and a log line.
#include <cstdio>
#include <exception>
#include <memory>

#include "asgi_app.hpp"
#include "asgi_config.hpp"
#include "hornet/app.h"
#include "hornet/support/abi_guard.hpp"
#include "thread_dump.hpp"

namespace {

using hornet::asgi::AsgiApp;

void put_error(char* err, size_t cap, const char* line) {
    if (err && cap) std::snprintf(err, cap, "%s", line);
}

int asgi_create(const hornet_host_t* host, void** instance, char* err, size_t err_cap) {
    if (!host || !instance) return HORNET_EINVAL;
    *instance = nullptr;
    try {
        *instance = AsgiApp::make(host).release();
        return HORNET_OK;
    } catch (const std::bad_alloc&) {
        put_error(err, err_cap, "asgi: out of memory");
        return HORNET_ENOMEM;
    } catch (const std::exception& e) {
        put_error(err, err_cap, e.what());
    } catch (...) {
        put_error(err, err_cap, "asgi: unknown error while starting");
    }
    return HORNET_EINVAL;
}

void asgi_destroy(void* instance) {
    try {
        delete static_cast<AsgiApp*>(instance);
    } catch (...) {
        // the process is leaving
    }
}

int asgi_handle(void* instance, hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    auto* app = static_cast<AsgiApp*>(instance);
    if (!app || !x || !ops) return HORNET_EINVAL;
    return hornet::support::guarded(app->host(), "asgi handle()", int{HORNET_EINTERNAL},
                                    [&] { return app->handle(x, ops); });
}

int asgi_check_config(const hornet_host_t* host, char* err, size_t err_cap) {
    if (!host) return HORNET_EINVAL;
    try {
        hornet::asgi::check_config(host);
        return HORNET_OK;
    } catch (const std::exception& e) {
        put_error(err, err_cap, e.what());
    } catch (...) {
        put_error(err, err_cap, "asgi: unknown error while checking app_config");
    }
    return HORNET_EINVAL;
}

void asgi_worker_start(void* instance) {
    auto* app = static_cast<AsgiApp*>(instance);
    hornet::support::guarded(app->host(), "asgi worker_start()", 0, [&] {
        app->worker_start();
        return 0;
    });
}

void asgi_worker_exit(void* instance) {
    auto* app = static_cast<AsgiApp*>(instance);
    hornet::support::guarded(app->host(), "asgi worker_exit()", 0, [&] {
        app->worker_exit();
        return 0;
    });
}

int asgi_dump_stacks(void*, int fd) { return hornet::python::dump_python_threads(fd); }

const hornet_app_t kAsgi = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "asgi",
    .version = "1.0.0",
    .flags = HORNET_APP_THREAD_SAFE | HORNET_APP_NONBLOCKING,
    .create = asgi_create,
    .destroy = asgi_destroy,
    .worker_start = asgi_worker_start,
    .worker_exit = asgi_worker_exit,
    .handle = asgi_handle,
    .check_config = asgi_check_config,
    .dump_stacks = asgi_dump_stacks,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_app_t* hornet_app_entry(uint32_t, uint32_t) { return &kAsgi; }
