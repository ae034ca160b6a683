// Folding Gunicorn's APP and pythonpath into the wsgi app; see python_app.hpp.
#include "config/python_app.hpp"

#include "config/python_interface.hpp"

namespace hornet {
namespace {

// app_config[key] as text, or "" (a const node lookup of a missing key is
// invalid in yaml-cpp: walk the map instead).
std::string app_text(const Config& config, const std::string& key) {
    if (!config.app_config.IsMap()) return "";
    for (const auto& entry : config.app_config)
        if (entry.first.Scalar() == key && entry.second.IsScalar()) return entry.second.Scalar();
    return "";
}

// After fold_pythonpath: a list, or one string of ',' or ':' separated dirs.
std::vector<std::string> app_pythonpath(const Config& config) {
    std::vector<std::string> dirs;
    if (!config.app_config.IsMap()) return dirs;
    for (const auto& entry : config.app_config) {
        if (entry.first.Scalar() != "pythonpath") continue;
        if (entry.second.IsSequence())
            for (const YAML::Node& d : entry.second) dirs.push_back(d.Scalar());
        else if (entry.second.IsScalar() && !entry.second.Scalar().empty())
            dirs.push_back(entry.second.Scalar());
    }
    return dirs;
}

// --interface, an ASGI worker class name, or (auto, under async) a look at
// the callable in a child python (python_interface.hpp).
std::string python_app_plugin(const Config& config, const std::string& interface) {
    if (interface == "asgi" || interface == "wsgi") return interface;
    if (config.worker_class != "async") return "wsgi";
    return is_asgi_callable(config.app, app_pythonpath(config), app_text(config, "virtualenv")) ? "asgi" : "wsgi";
}

// After fold_pythonpath and fold_worker_class: the probe needs both.
void fold_module(Config& config) {
    std::string interface = app_text(config, "interface");
    if (config.app_config.IsMap()) config.app_config.remove("interface");
    if (!is_python_app_spec(config.app)) return;
    const std::string plugin = python_app_plugin(config, interface); // reads the spec in config.app
    config.app_config["module"] = config.app;
    config.app = plugin;
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
    // ASGI workers: uvicorn's for Gunicorn, and Gunicorn 25's own `asgi`.
    static const std::string_view kAsgi[] = {"uvicorn.workers.UvicornWorker", "uvicorn.workers.UvicornH11Worker",
                                             "asgi"};
    for (const auto& [gunicorn, hornet] : kNames)
        if (config.worker_class == gunicorn) config.worker_class = hornet;
    for (std::string_view name : kAsgi) {
        if (config.worker_class != name) continue;
        config.worker_class = "async";
        const std::string given = app_text(config, "interface");
        if ((given.empty() || given == "auto") && is_python_app_spec(config.app)) config.app_config["interface"] = "asgi";
    }
}

} // namespace

bool is_python_app_spec(std::string_view app) {
    if (app.empty() || app.find('/') != std::string_view::npos || app.ends_with(".so")) return false;
    return app.find(':') != std::string_view::npos || app.find('.') != std::string_view::npos;
}

void fold_python_app(Config& config) {
    fold_worker_class(config);
    fold_pythonpath(config);
    fold_module(config);
    fold_reload(config);
}

} // namespace hornet
