// The event-loop worker types' app check.
#include "hornet/sdk/app_check.hpp"

#include <cstdio>

namespace hornet::sdk {

int check_loop_app(const hornet_limits_t* limits, const hornet_app_t* app, const char* loop, char* err,
                   size_t err_cap) {
    if (!limits || !app || (app->flags & (HORNET_APP_NONBLOCKING | HORNET_APP_THREAD_SAFE)) || limits->threads <= 1)
        return HORNET_OK;
    std::snprintf(err, err_cap,
                  "app %s is neither non-blocking (HORNET_APP_NONBLOCKING, run on the %s) nor thread-safe "
                  "(HORNET_APP_THREAD_SAFE) and threads is %u; run it with threads: 1 (--threads 1)",
                  app->name ? app->name : "?", loop, limits->threads);
    return HORNET_EINVAL;
}

} // namespace hornet::sdk
