// Gunicorn's settings that hornet does not take, each with the reason, and
// its server hooks. Used for a gunicorn.conf.py (python_config_file.cpp) and
// for an unknown command-line flag, so that a Gunicorn setting hornet lacks
// is named as such with why, instead of "unknown". Every other Gunicorn
// setting is a row (or an alias) of settings.cpp; docs/gunicorn.md has the
// whole table.
#pragma once

#include <string_view>
#include <vector>

namespace hornet {

struct GunicornOnly {
    std::string_view name;  // Gunicorn's setting name
    std::string_view flag;  // its command-line flag, or ""
    std::string_view why;   // why hornet has none, and what to do instead
};

const std::vector<GunicornOnly>& gunicorn_only_settings();
const GunicornOnly* find_gunicorn_only(std::string_view name_or_flag);

// Gunicorn's hooks the wsgi app runs in each worker (a gunicorn.conf.py's
// post_fork, post_worker_init, worker_exit, pre_request, post_request).
bool is_worker_hook(std::string_view name);
// Gunicorn's other hooks: its arbiter's (hornet's has no Python), those
// tied to its signal handling, and ssl_context.
bool is_unrun_hook(std::string_view name);

} // namespace hornet
