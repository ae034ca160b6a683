// apps/asgi/scope_builder.hpp: the http scope (ASGI 3.0, spec version 2.3)
// or websocket scope (spec version 2.4) of one request, from hornet's
// request view.
//
// path is percent-decoded and UTF-8 decoded (invalid bytes replaced, as
// uvicorn does), raw_path the target's path as sent, headers a list of
// (name, value) bytes tuples in arrival order with names lower-cased,
// client (host, port) or None on a unix socket, server (host, port) or
// (path, None); extensions names http.response.pathsend, and
// http.response.trailers when the worker type takes trailers (ABI 1.6).
// A websocket scope has no method, scheme ws or wss, the offered
// subprotocols, and names the websocket.http.response (denial) extension.
// Either has extensions["tls"] on a TLS connection (tls_scope.hpp).
// [asyncio thread, GIL held]
#pragma once

#include <vector>

#include "hornet/app.h"
#include "py_ref.hpp"

namespace hornet::asgi {

// The constants shared by every scope; false with a Python exception set.
bool init_scope_constants();
void drop_scope_constants();

// A new scope dict, or nullptr with a Python exception set. state is copied.
// trailers: the exchange takes trailer fields (offers_trailers()).
python::PyRef build_scope(const hornet_request_t& r, PyObject* root_path, PyObject* state, bool trailers);
python::PyRef build_websocket_scope(const hornet_request_t& r, const std::vector<hornet_str_t>& subprotocols,
                                    PyObject* root_path, PyObject* state);

} // namespace hornet::asgi
