// hornet/sdk/app_check.hpp: the app check of an event-loop worker type,
// for its descriptor's check() (called before any fork).
//
// A NONBLOCKING app runs on the loop thread only; any other runs on the
// worker's pool, several calls at once when threads > 1, which only a
// THREAD_SAFE app allows. async and uring refuse the same way with this.
#pragma once

#include <cstddef>

#include "hornet/worker.h"

namespace hornet::sdk {

// HORNET_OK, or HORNET_EINVAL with the one line in err. `loop` names the
// loop thread in that line ("loop", "ring").
int check_loop_app(const hornet_limits_t* limits, const hornet_app_t* app, const char* loop, char* err,
                   size_t err_cap);

} // namespace hornet::sdk
