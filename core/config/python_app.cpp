// Folding Gunicorn's APP and pythonpath into the wsgi app; see python_app.hpp.
#include "config/python_app.hpp"

namespace hornet {
namespace {

void fold_module(Config& config) {
    if (!is_python_app_spec(config.app)) return;
    config.app_config["module"] = config.app;
    config.app = "wsgi";
}

// Top-level entries first (as Gunicorn inserts them at sys.path's front),
// then whatever app_config.pythonpath already held.
void fold_pythonpath(Config& config) {
    if (config.pythonpath.empty()) return;
    YAML::Node dirs(YAML::NodeType::Sequence);
    for (const std::string& d : config.pythonpath) dirs.push_back(d);
    YAML::Node old = config.app_config["pythonpath"];
    if (old.IsSequence()) {
        for (const YAML::Node& d : old) dirs.push_back(YAML::Clone(d));
    } else if (old.IsScalar() && !old.Scalar().empty()) {
        dirs.push_back(old.Scalar());
    }
    config.app_config["pythonpath"] = dirs;
    config.pythonpath.clear();
}

// Gunicorn's --reload is the wsgi app's to do: it knows which files it loaded.
void fold_reload(Config& config) {
    if (config.reload) config.app_config["reload"] = "true";
    if (!config.reload_extra_files.empty()) {
        YAML::Node files(YAML::NodeType::Sequence);
        for (const std::string& f : config.reload_extra_files) files.push_back(f);
        config.app_config["reload_extra_files"] = files;
    }
    config.reload = false;
    config.reload_extra_files.clear();
}

// Gunicorn's worker classes by its names: its own classes' paths, and the
// greenlet workers, whose place the async worker takes (one event loop; a
// WSGI app runs on its pool of `threads` threads, without monkey-patching).
void fold_worker_class(Config& config) {
    static const std::pair<std::string_view, std::string_view> kNames[] = {
        {"gunicorn.workers.sync.SyncWorker", "sync"},
        {"gunicorn.workers.gthread.ThreadWorker", "gthread"},
        {"gevent", "async"},
        {"eventlet", "async"},
        {"gunicorn.workers.ggevent.GeventWorker", "async"},
        {"gunicorn.workers.geventlet.EventletWorker", "async"},
    };
    for (const auto& [gunicorn, hornet] : kNames)
        if (config.worker_class == gunicorn) config.worker_class = hornet;
}

} // namespace

bool is_python_app_spec(std::string_view app) {
    if (app.empty() || app.find('/') != std::string_view::npos || app.ends_with(".so")) return false;
    return app.find(':') != std::string_view::npos || app.find('.') != std::string_view::npos;
}

void fold_python_app(Config& config) {
    fold_module(config);
    fold_pythonpath(config);
    fold_reload(config);
    fold_worker_class(config);
}

} // namespace hornet
