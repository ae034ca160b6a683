// apps/python/app_loader.hpp: the WSGI callable named by app_config.module.
//
// "package.module:callable" as Gunicorn reads it: the module is imported,
// the part after ':' is an attribute path ("app", "api.wsgi_app"), and a
// trailing "()" calls a factory without arguments ("create_app()"). Without
// ':' the callable is "application". A module that is not found or a name
// that is missing is a configuration error: one line, with sys.path. An
// exception raised by the app's own code while importing is the app's bug:
// its traceback goes to the error log as well.
#pragma once

#include "hornet/host.h"
#include "py_ref.hpp"
#include "python_config.hpp"

namespace hornet::python {

// With the GIL held. Throws PythonError.
PyRef load_app(const hornet_host_t* host, const PythonConfig& config);

// Before a second instance loads the app in a running interpreter (a reload
// with preload_app): drops from sys.modules every module that is not the
// standard library's or an installed package's (site-packages, dist-packages),
// so the app's own code is imported afresh. Installed libraries stay loaded
// (some, numpy for one, cannot load twice in a process): upgrading one needs
// a restart, as with Gunicorn's preload_app. With the GIL held.
void forget_app_modules(const hornet_host_t* host);

} // namespace hornet::python
