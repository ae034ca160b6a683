// A Gunicorn config file (-c gunicorn.conf.py) read as hornet settings.
//
// The file is Python: Debian's python3 (the CPython the wsgi app embeds)
// runs it in a child process, as Gunicorn would (exec in a fresh namespace),
// and hands back its settings as JSON, which is YAML: the settings table
// then checks them as it checks a YAML file. Gunicorn's settings hornet has
// no use for are one warning line each, naming the file, the setting and
// why (gunicorn_settings.cpp); the file's own variables are ignored, as
// Gunicorn ignores them. Hooks stay in the file: the worker hooks
// (post_fork, post_worker_init, worker_int, worker_abort, worker_exit,
// pre_request, post_request) are the wsgi app's, told by
// app_config.gunicorn_config; the arbiter's (on_starting, when_ready,
// on_reload, on_exit) are run by the arbiter's ServerHooks, told by
// server_hooks. Other hooks are a warning each. [arbiter], at start and on
// every reload, in a child python (hornet/support/python_child.hpp).
#pragma once

#include <string>

#include "config/config.hpp"

namespace hornet {

bool is_python_config_file(const std::string& path);

// Throws ConfigError: "FILE:LINE: ..." for an exception in the file.
void apply_python_config_file(const std::string& path, const std::string& shown_path, Config& config);

} // namespace hornet
