// The effective settings as one JSON object, for the arbiter's Gunicorn
// hooks (their server.cfg): every setting under hornet's name and under
// Gunicorn's aliases (keepalive, loglevel, pidfile, ...), with Gunicorn's
// types where they have one: counts as numbers, switches as booleans,
// durations as seconds (timeout = 30), lists and maps as such, the rest as
// the text --print-config shows. [arbiter]
#pragma once

#include <string>

#include "config/config.hpp"

namespace hornet {

std::string settings_json(const Config& config);

} // namespace hornet
