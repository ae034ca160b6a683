// apps/asgi/asgi_config.hpp: the asgi app's settings, read from `app_config`.
//
//   app_config:
//     module, pythonpath, virtualenv,      the shared keys (python_config.hpp);
//     reload, reload_extra_files           ":app" if module has no ':'
//     root_path: "/mount"                  optional; scope["root_path"]
//     lifespan: auto | on | off            optional; auto (uvicorn's): an app
//                                          that raises before startup
//                                          completes has no lifespan support
//     loop: auto | asyncio | uvloop        optional; auto: uvloop if importable
#pragma once

#include <string>

#include "hornet/host.h"
#include "python_config.hpp"

namespace hornet::asgi {

struct AsgiConfig : python::PythonConfig {
    std::string root_path;          // "" or "/mount", no trailing '/'
    std::string lifespan = "auto";  // auto, on, off
    std::string loop = "auto";      // auto, asyncio, uvloop
};

// Throws python::PythonError with one line naming the key and the fix.
AsgiConfig read_config(const hornet_host_t* host);

// [arbiter] read_config, the worker type (it must run an event loop: the
// async worker), and the module check. Starts no interpreter here.
void check_config(const hornet_host_t* host);

// Throws PythonError unless this process's worker type is event-driven.
void require_event_loop(const hornet_host_t* host);

} // namespace hornet::asgi
