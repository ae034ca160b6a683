// core/config/python_interface.hpp: is a MODULE:CALLABLE an ASGI app?
//
// `hornet -k async main:app` serves an ASGI app with the asgi app plugin
// and a WSGI one with the wsgi plugin. To tell them apart the app must be
// imported, which the arbiter never does itself: a child python
// (hornet/support/python_child.hpp) imports the module, finds the callable
// (calling a "factory()" as the workers will) and applies uvicorn's rule:
// ASGI when the callable is a coroutine function, an object whose __call__
// is one, or a class whose instances are awaitable. ASGI 2 apps (a plain
// __call__(scope) returning the coroutine maker) look like WSGI ones: name
// them with --interface asgi. Called only when interface is auto and the
// worker type is async (sync and gthread serve WSGI).
#pragma once

#include <string>
#include <vector>

namespace hornet {

// false when it is not ASGI, or when the child could not tell (the module
// does not import: the wsgi app then says why, as before).
bool is_asgi_callable(const std::string& spec, const std::vector<std::string>& pythonpath,
                      const std::string& virtualenv);

} // namespace hornet
