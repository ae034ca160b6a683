// apps/wsgi/wsgi_config.hpp: the wsgi app's settings, read from `app_config`.
//
//   app_config:
//     module, pythonpath, virtualenv,      the shared keys (python_config.hpp);
//     reload, reload_extra_files           ":application" if module has no ':'
//     script_name: "/mount"                optional; where the app is mounted
//                                          (default: $SCRIPT_NAME, as Gunicorn)
//     gunicorn_config: gunicorn.conf.py    optional; its worker hooks run
#pragma once

#include <string>

#include "hornet/host.h"
#include "python_config.hpp"
#include "python_shared.hpp"

namespace hornet::wsgi {

struct WsgiConfig : python::PythonConfig {
    std::string script_name;     // "" or "/mount", no trailing '/'
    std::string gunicorn_config; // a gunicorn.conf.py whose worker hooks to run, or ""
};

// Throws WsgiError with one line naming the key and the fix.
WsgiConfig read_config(const hornet_host_t* host);

// read_config, plus what only the arbiter's check looks at
// (python::check_python_config). Starts no interpreter in this process.
void check_config(const hornet_host_t* host);

} // namespace hornet::wsgi
