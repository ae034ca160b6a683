// hornet/support/abi_guard.hpp: keep C++ exceptions from crossing the C ABI.
//
// Every extern "C"-reachable body (exchange ops, a worker's run(), an entry)
// wraps its work in guarded(): an exception becomes a HORNET_E* code (or the
// given fallback) plus one log line naming the call. For SDK and worker-type
// authors.
#pragma once

#include <exception>
#include <new>

#include "hornet/abi.h"
#include "hornet/support/log.hpp"

namespace hornet::support {

// Runs fn(); on an exception logs "<what> failed: <reason>" and returns
// `fallback` (HORNET_ENOMEM for bad_alloc when the result is an int).
template <class Fn, class R>
R guarded(const hornet_host_t* host, const char* what, R fallback, Fn&& fn) noexcept {
    try {
        return fn();
    } catch (const std::bad_alloc&) {
        logf(host, HORNET_LOG_ERROR, "%s failed: out of memory", what);
    } catch (const std::exception& e) {
        logf(host, HORNET_LOG_ERROR, "%s failed: %s", what, e.what());
    } catch (...) {
        logf(host, HORNET_LOG_ERROR, "%s failed: unknown exception", what);
    }
    return fallback;
}

} // namespace hornet::support
