// Reading and checking app_config.
#include "wsgi_config.hpp"

#include <cstdlib>

namespace hornet::wsgi {
namespace {

using python::config_string;

constexpr const char* kKeys[] = {"module", "pythonpath", "virtualenv", "script_name",
                                 "reload", "reload_extra_files", "gunicorn_config"};

std::string checked_script_name(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    if (!s.empty() && s.front() != '/')
        throw WsgiError("app_config.script_name '" + s + "' must start with '/' (e.g. '/api'), or be empty");
    return s;
}

} // namespace

WsgiConfig read_config(const hornet_host_t* host) {
    WsgiConfig c;
    python::read_python_config(host, c, "myapp.wsgi:application", "application");
    if (auto g = config_string(host, "gunicorn_config")) c.gunicorn_config = *g;
    // Gunicorn takes the mount point from the SCRIPT_NAME environment
    // variable (-e SCRIPT_NAME=/shop); app_config.script_name wins over it.
    if (auto s = config_string(host, "script_name")) c.script_name = checked_script_name(*s);
    else if (const char* env = std::getenv("SCRIPT_NAME")) c.script_name = checked_script_name(env);
    return c;
}

void check_config(const hornet_host_t* host) {
    python::check_known_keys(host, kKeys);
    python::check_python_config(host, read_config(host));
}

} // namespace hornet::wsgi
