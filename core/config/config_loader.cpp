// Layering of the config sources; see config_loader.hpp.
#include "config/config_loader.hpp"

#include "config/bind_address.hpp"
#include "config/config_error.hpp"
#include "config/python_app.hpp"
#include "config/python_config_file.hpp"
#include "config/yaml_file_layer.hpp"
#include "process/container_limits.hpp"

namespace hornet {

namespace {

// As Gunicorn: with PORT in the environment (Heroku, Cloud Run) the default
// bind is 0.0.0.0:$PORT; a bind from any source still wins.
void default_bind_from_port(const EnvSnapshot& env, Config& config) {
    auto it = env.find("PORT");
    if (it == env.end() || it->second.empty()) return;
    try {
        config.bind = {parse_bind("0.0.0.0:" + it->second).text()};
    } catch (const ValueError& e) {
        throw ConfigError("environment PORT: " + std::string(e.what()));
    }
}

} // namespace

Config load_config(const ConfigSources& sources) {
    Config config;
    default_bind_from_port(sources.env, config);
    config.config_file = sources.config_file;
    if (!sources.config_file.empty()) {
        const std::string& path = sources.config_path.empty() ? sources.config_file : sources.config_path;
        if (is_python_config_file(path)) apply_python_config_file(path, sources.config_file, config);
        else apply_yaml_file(path, sources.config_file, config);
    }
    apply_env(sources.env, config);
    apply_cli(sources.cli, config);
    fold_python_app(config);
    resolve_workers(config);
    return config;
}

void resolve_workers(Config& config) {
    if (config.workers != 0) return;
    CpuBudget budget = detect_cpu_budget();
    config.workers = auto_workers(budget.cpus());
    config.workers_rule = budget.describe();
}

} // namespace hornet
