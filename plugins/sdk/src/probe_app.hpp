// plugins/sdk/src/probe_app.hpp: which app serves a request: the worker's,
// or the SDK's own answer to health_path and ready_path.
#pragma once

#include "hornet/sdk/request_cycle.hpp"

namespace hornet::sdk {

AppRoute route_request(const hornet_worker_ctx_t* ctx, const hornet_request_t& request);

} // namespace hornet::sdk
