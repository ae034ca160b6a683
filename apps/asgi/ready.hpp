// apps/asgi/ready.hpp: Ready, an awaitable whose result is already there.
//
// receive() and send() return one when they can answer at once: awaiting
// it returns the value without a Future or a trip through the event loop.
// [asyncio thread, GIL held]
#pragma once

#include "py_ref.hpp"

namespace hornet::asgi {

// The type; false with a Python exception set.
bool init_ready_type();
void drop_ready_type();

// A Ready holding value (stolen); nullptr (and value released) on failure.
PyObject* new_ready(PyObject* value);
// A new reference to the shared Ready whose result is None.
PyObject* ready_none();

} // namespace hornet::asgi
