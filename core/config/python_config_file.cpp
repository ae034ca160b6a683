// Running a gunicorn.conf.py for its settings; see python_config_file.hpp.
#include "config/python_config_file.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include "config/config_error.hpp"
#include "config/gunicorn_settings.hpp"
#include "config/setting.hpp"
#include "config/yaml_file_layer.hpp"
#include "hornet/support/python_child.hpp"

#ifndef HORNET_PYTHON
#define HORNET_PYTHON "/usr/bin/python3"
#endif

namespace hornet {
namespace {

// argv: FILE, hornet's setting names (','), names to keep as hooks (',').
// Writes one JSON object on fd 3: {"settings": {...}, "other": [...],
// "hooks": [...]} or {"error": "LINE: what"}. The file's own prints go to
// stderr, so that --print-config's stdout stays YAML.
constexpr const char* kEvaluator = R"PY(
import json, os, sys, traceback, types
path, known, hook_names = sys.argv[1], set(sys.argv[2].split(",")), set(sys.argv[3].split(","))
out, sys.stdout = os.fdopen(3, "w"), sys.stderr
def value(k, v):
    if k == "umask" and isinstance(v, int) and not isinstance(v, bool):
        return format(v, "o")
    if isinstance(v, (list, tuple, set)):
        return [value(k, e) for e in v]
    if isinstance(v, dict):
        return {str(a): value(k, b) for a, b in v.items()}
    return v if isinstance(v, (bool, int, float, str)) else str(v)
try:
    ns = {"__file__": path, "__name__": "__config__"}
    with open(path, "rb") as f:
        exec(compile(f.read(), path, "exec"), ns)
except BaseException as e:
    line = getattr(e, "lineno", None) if isinstance(e, SyntaxError) else None
    for frame in traceback.extract_tb(e.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    msg = traceback.format_exception_only(type(e), e)[-1].strip()
    json.dump({"error": (f"{line}: " if line else "") + msg}, out)
    sys.exit(0)
result = {"settings": {}, "other": [], "hooks": []}
for k, v in ns.items():
    if k.startswith("_") or isinstance(v, types.ModuleType) or isinstance(v, type):
        continue
    if callable(v):
        result["hooks" if k in hook_names else "other"].append(k)
    elif k in known and v is not None:
        result["settings"][k] = value(k, v)
    else:
        result["other"].append(k)
json.dump(result, out)
)PY";

// A config file that computes its values may wait on something; not forever.
constexpr int kEvaluatorTimeoutMs = 30000;

std::string joined(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::string_view n : names) {
        if (!out.empty()) out.push_back(',');
        out.append(n);
    }
    return out;
}

std::vector<std::string_view> run_hook_names() {
    std::vector<std::string_view> names = worker_hook_names();
    for (std::string_view n : server_hook_names()) names.push_back(n);
    return names;
}

// Runs the evaluator; what it wrote on fd 3. stderr stays hornet's (the file's prints).
std::string run_evaluator(const std::string& path, const std::string& shown) {
    const auto run = support::run_python(HORNET_PYTHON, kEvaluator,
                                         {path, joined(setting_names()), joined(run_hook_names())},
                                         kEvaluatorTimeoutMs);
    if (!run.ran) throw ConfigError(shown + ": a Python config file needs " HORNET_PYTHON " (apt install python3)");
    if (run.timed_out)
        throw ConfigError(shown + ": python did not finish running it within " +
                          std::to_string(kEvaluatorTimeoutMs / 1000) + " s");
    return run.output;
}

// The same values without positions: those would point into the JSON that
// python printed, not into the user's file.
YAML::Node without_marks(const YAML::Node& n) {
    if (n.IsScalar()) return YAML::Node(n.Scalar());
    YAML::Node out(n.IsSequence() ? YAML::NodeType::Sequence : n.IsMap() ? YAML::NodeType::Map : YAML::NodeType::Null);
    if (n.IsSequence())
        for (const YAML::Node& e : n) out.push_back(without_marks(e));
    if (n.IsMap())
        for (const auto& kv : n) out[kv.first.Scalar()] = without_marks(kv.second);
    return out;
}

void warn(const std::string& line) { std::fprintf(stderr, "hornet: warning: %s\n", line.c_str()); }

void warn_about(const std::string& shown, const std::string& name) {
    if (const GunicornOnly* g = find_gunicorn_only(name)) {
        warn(shown + ": '" + name + "': Gunicorn's setting is not taken by hornet (" + std::string(g->why) +
             "); ignored");
    } else if (const char* why = unrun_hook_reason(name)) {
        warn(shown + ": '" + name + "': a Gunicorn hook hornet does not run (" + why + "); ignored");
    }
    // Any other name is the file's own variable or function, as Gunicorn treats it.
}

// Worker hooks are the wsgi app's to run (app_config.gunicorn_config), the
// arbiter's are the arbiter's (server_hooks): each side reads the file itself.
void note_hooks(const YAML::Node& hooks, const std::string& path, Config& config) {
    bool worker = false, server = false;
    for (const auto& h : hooks) {
        worker = worker || is_worker_hook(h.Scalar());
        server = server || is_server_hook(h.Scalar());
    }
    const std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
    if (worker) config.app_config["gunicorn_config"] = absolute;
    if (server) config.server_hooks = absolute;
}

} // namespace

bool is_python_config_file(const std::string& path) { return path.ends_with(".py"); }

void apply_python_config_file(const std::string& path, const std::string& shown, Config& config) {
    if (::access(path.c_str(), R_OK) != 0)
        throw ConfigError(shown + ": cannot read config file: " + std::strerror(errno));
    YAML::Node result;
    try {
        result = YAML::Load(run_evaluator(path, shown));
    } catch (const YAML::Exception&) {
        throw ConfigError(shown + ": python gave no settings back; run it with python3 to see why");
    }
    if (result["error"]) {
        const std::string e = result["error"].as<std::string>();
        throw ConfigError(shown + (!e.empty() && std::isdigit(static_cast<unsigned char>(e[0])) ? ":" : ": ") + e);
    }
    for (const auto& name : result["other"]) warn_about(shown, name.as<std::string>());
    apply_settings_document(without_marks(result["settings"]), shown, config);
    note_hooks(result["hooks"], path, config);
}

} // namespace hornet
