// plugins/async/extensions.hpp: the async worker's "hornet.timer/1" and
// "hornet.loop/1" tables (hornet/ext.h), offered to apps through the worker
// context's provide_extension. Static storage; each call finds the exchange's
// loop through the exchange.
#pragma once

#include "hornet/ext.h"

namespace hornet::async {

const hornet_timer_ext_t& timer_extension();
const hornet_loop_ext_t& loop_extension();

} // namespace hornet::async
