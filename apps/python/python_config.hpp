// apps/python/python_config.hpp: the app_config keys both Python bridges
// (wsgi, asgi) read, and the checks the arbiter makes of them before fork.
//
//   app_config:
//     module: "package.module:callable"   required
//     pythonpath: "/srv/app,/srv/lib"      optional; ',' or ':' between dirs,
//                                          or a list: [/srv/app, /srv/lib]
//     virtualenv: "/srv/venv"              optional; a venv (has pyvenv.cfg)
//     reload: true                         optional; Gunicorn's --reload
//     reload_extra_files: [a.yaml]         optional; watched too with reload
//
// Relative directories are taken from hornet's working directory. Each
// bridge adds keys of its own (wsgi_config.hpp, asgi_config.hpp).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hornet/host.h"

namespace hornet::python {

struct PythonConfig {
    std::string module;   // "package.module"
    std::string callable; // "app", "create_app()", "obj.attr"
    std::vector<std::string> pythonpath; // absolute
    std::string virtualenv;              // absolute, or empty
    bool reload = false;                 // watch the code, SIGHUP the arbiter on a change
    std::vector<std::string> reload_extra_files; // absolute
};

// app_config.KEY as one string, or nullopt when unset. Throws PythonError
// when it is a list or a map.
std::optional<std::string> config_string(const hornet_host_t* host, const char* key);

// "true"/"false" and their YAML friends; throws PythonError naming key.
bool parse_flag(const std::string& key, const std::string& value);

// The shared keys into c. `example` is the spec shown when module is
// missing ("myapp.wsgi:application"); `default_callable` is taken when the
// spec has no ':'. Throws PythonError with one line naming the key.
void read_python_config(const hornet_host_t* host, PythonConfig& c, const std::string& example,
                        const char* default_callable);

// ABI 1.2 hosts list app_config's keys: one that is not in `keys` is refused
// with the nearest known one. Throws PythonError.
void check_known_keys(const hornet_host_t* host, std::span<const char* const> keys);

// What only the arbiter looks at: every pythonpath folder exists, and the
// module and its callable are there (module_check.hpp). Throws PythonError.
void check_python_config(const hornet_host_t* host, const PythonConfig& c);

} // namespace hornet::python
