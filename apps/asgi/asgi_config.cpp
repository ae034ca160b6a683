// Reading and checking app_config; see asgi_config.hpp.
#include "asgi_config.hpp"

#include "python_error.hpp"

namespace hornet::asgi {
namespace {

using python::config_string;
using python::PythonError;

constexpr const char* kKeys[] = {"module", "pythonpath", "virtualenv", "reload",
                                 "reload_extra_files", "root_path", "lifespan", "loop"};

std::string checked_root_path(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    if (!s.empty() && s.front() != '/')
        throw PythonError("app_config.root_path '" + s + "' must start with '/' (e.g. '/api'), or be empty");
    return s;
}

std::string choice(const hornet_host_t* host, const char* key, std::string fallback,
                   std::initializer_list<const char*> choices) {
    const auto v = config_string(host, key);
    if (!v || v->empty()) return fallback;
    std::string all;
    for (const char* c : choices) {
        if (*v == c) return *v;
        all += (all.empty() ? "" : ", ") + std::string(c);
    }
    throw PythonError("app_config." + std::string(key) + " '" + *v + "' is not one of " + all);
}

} // namespace

AsgiConfig read_config(const hornet_host_t* host) {
    AsgiConfig c;
    python::read_python_config(host, c, "main:app", "app");
    if (auto r = config_string(host, "root_path")) c.root_path = checked_root_path(*r);
    c.lifespan = choice(host, "lifespan", "auto", {"auto", "on", "off"});
    c.loop = choice(host, "loop", "auto", {"auto", "asyncio", "uvloop"});
    return c;
}

void require_event_loop(const hornet_host_t* host) {
    if (host->query(host, HORNET_QUERY_ASYNC) == 1) return;
    throw PythonError("an ASGI app needs the async worker type (one event loop per worker): "
                      "run it with -k async (worker_class: async)");
}

void check_config(const hornet_host_t* host) {
    python::check_known_keys(host, kKeys);
    const AsgiConfig c = read_config(host);
    require_event_loop(host);
    python::check_python_config(host, c);
}

} // namespace hornet::asgi
