// apps/wsgi/wsgi_config.hpp: the wsgi app's settings, read from `app_config`.
//
//   app_config:
//     module: "package.module:callable"   required; ":application" if omitted
//     pythonpath: "/srv/app,/srv/lib"      optional; ',' or ':' between dirs,
//                                          or a list: [/srv/app, /srv/lib]
//     virtualenv: "/srv/venv"              optional; a venv (has pyvenv.cfg)
//     script_name: "/mount"                optional; where the app is mounted
//                                          (default: $SCRIPT_NAME, as Gunicorn)
//     reload: true                         optional; Gunicorn's --reload
//     reload_extra_files: [a.yaml]         optional; watched too with reload
//
// Relative directories are taken from hornet's working directory.
#pragma once

#include <string>
#include <vector>

#include "hornet/host.h"

namespace hornet::wsgi {

struct WsgiConfig {
    std::string module;   // "package.module"
    std::string callable; // "app", "create_app()", "obj.attr"
    std::vector<std::string> pythonpath; // absolute
    std::string virtualenv;              // absolute, or empty
    std::string script_name;             // "" or "/mount", no trailing '/'
    std::string gunicorn_config;         // a gunicorn.conf.py whose worker hooks to run, or ""
    bool reload = false;                 // watch the code, SIGHUP the arbiter on a change
    std::vector<std::string> reload_extra_files; // absolute
};

// Throws WsgiError with one line naming the key and the fix.
WsgiConfig read_config(const hornet_host_t* host);

// read_config, plus what only the arbiter's check looks at: every pythonpath
// folder exists, and the module and its callable are there
// (module_check.hpp: in a child python, without importing the app). Starts
// no interpreter in this process. Throws WsgiError.
void check_config(const hornet_host_t* host);

} // namespace hornet::wsgi
