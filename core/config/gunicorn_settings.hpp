// Gunicorn's settings that hornet does not take, each with the reason, and
// its server hooks. Used for a gunicorn.conf.py (python_config_file.cpp) and
// for a Gunicorn flag on the command line (core/cli), so that a Gunicorn
// setting hornet lacks is named as such with why, instead of "unknown".
// Every other Gunicorn setting (up to 26.1) is a row (or an alias) of
// settings.cpp; docs/gunicorn.md has the whole table.
#pragma once

#include <string_view>
#include <vector>

namespace hornet {

struct GunicornOnly {
    // What a command line that gives it gets.
    enum class Handling {
        refuse, // an error: going on would not do what was asked (TLS, syslog, dirty apps)
        ignore, // a warning, and hornet goes on: it does that job its own way or needs no such choice
    };
    std::string_view name;  // Gunicorn's setting name
    std::string_view flag;  // its command-line flag, or ""
    std::string_view why;   // why hornet has none, and what to do instead
    Handling handling = Handling::refuse;
    bool takes_value = true; // the flag takes a value (else a switch)
};

const std::vector<GunicornOnly>& gunicorn_only_settings();
const GunicornOnly* find_gunicorn_only(std::string_view name_or_flag);

// Gunicorn's hooks the wsgi app runs in each worker: post_fork,
// post_worker_init, worker_int, worker_abort, worker_exit, pre_request,
// post_request.
const std::vector<std::string_view>& worker_hook_names();
bool is_worker_hook(std::string_view name);
// Gunicorn's hooks the arbiter runs (arbiter/server_hooks.hpp): on_starting,
// when_ready, on_reload, on_exit.
const std::vector<std::string_view>& server_hook_names();
bool is_server_hook(std::string_view name);
// Why hornet does not run this Gunicorn hook, or nullptr if it is no such hook.
const char* unrun_hook_reason(std::string_view name);

} // namespace hornet
