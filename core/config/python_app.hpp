// Gunicorn's way of naming a Python app, folded into hornet's.
//
// `hornet myapp:app` (or `app: "mysite.wsgi"` in the file, or Gunicorn's
// `wsgi_app`) means the wsgi app plugin serving that callable: app becomes
// "wsgi" and the spec goes to app_config.module. Gunicorn's top-level
// `pythonpath` (--pythonpath) goes first into app_config.pythonpath, and
// `reload`/`reload_extra_files` into app_config (the wsgi app watches).
// Gunicorn's worker class names (gevent, gunicorn.workers.sync.SyncWorker)
// become hornet's worker types. After
// the fold a Config says it one way only, so --print-config reads back.
#pragma once

#include <string_view>

#include "config/config.hpp"

namespace hornet {

// "pkg.mod:callable", "pkg.mod", "app:create_app()"; not a plugin name
// ("hello"), nor a path ("./x.so", "/opt/x.so").
bool is_python_app_spec(std::string_view app);

// After every layer: a module given as APP wins over app_config.module (as
// Gunicorn's positional APP wins over wsgi_app in its config file).
void fold_python_app(Config& config);

} // namespace hornet
