// apps/asgi/asgi_python.hpp: the asgi app's Python-level helpers, run once
// per process (never per request): telling ASGI 3 from ASGI 2, making the
// event loop, running it with the inbox's eventfd watched, and the
// lifespan protocol (uvicorn's "auto": an app that raises before it
// answers lifespan.startup has no lifespan support, and goes on without).
// [GIL held]
#pragma once

#include "py_ref.hpp"

namespace hornet::asgi {

// The helpers' namespace (a dict), or nullptr with a Python exception set.
python::PyRef load_asgi_helpers();

} // namespace hornet::asgi
