// hornet/sdk/upgrade_extensions.hpp: the tables of "hornet.upgrade/1" and
// "hornet.websocket/1" (hornet/ext.h, ABI 1.4) for every worker type built
// on sdk::Exchange.
//
// The C shims turn the handle back into the Exchange and call its virtuals
// (upgrade) or the SDK's WebSocketChannel, keeping exceptions on this side.
// A worker type offers both by calling provide_upgrade_extensions(ctx) in
// its worker process before ready(); sdk::boot_and_run does it for every
// worker type that uses it. Static storage.
#pragma once

#include "hornet/ext.h"
#include "hornet/worker.h"

namespace hornet::sdk {

const hornet_upgrade_ext_t* upgrade_extension();
const hornet_websocket_ext_t* websocket_extension();

// [worker main] Offers both through ctx->provide_extension (a 1.0 host has
// none: then nothing happens).
void provide_upgrade_extensions(const hornet_worker_ctx_t* ctx);

} // namespace hornet::sdk
