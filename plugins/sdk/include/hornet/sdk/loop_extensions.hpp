// hornet/sdk/loop_extensions.hpp: the "hornet.timer/1" and "hornet.loop/1"
// tables (hornet/ext.h) for an event-loop worker type.
//
// Static tables whose C shims call the exchange's own Exchange::timer_start
// and Exchange::post (keeping exceptions on this side of the ABI), so each
// call finds its loop through the exchange. A worker type that has a loop
// calls provide_loop_extensions(ctx) once in its worker process, before
// serving; its exchanges override timer_start and post. [worker main]
#pragma once

#include "hornet/ext.h"
#include "hornet/worker.h"

namespace hornet::sdk {

const hornet_timer_ext_t& timer_extension();
const hornet_loop_ext_t& loop_extension();

// Offers both through ctx->provide_extension (nothing on a 1.0 host).
void provide_loop_extensions(const hornet_worker_ctx_t* ctx);

} // namespace hornet::sdk
