// Environment layer; see env_layer.hpp.
#include "config/env_layer.hpp"

#include <string_view>

#include "config/config_error.hpp"
#include "config/setting.hpp"

namespace hornet {

EnvSnapshot capture_env(char** envp) {
    EnvSnapshot env;
    for (char** p = envp; p && *p; ++p) {
        std::string_view entry(*p);
        std::size_t eq = entry.find('=');
        // PORT too: Gunicorn's default bind follows it (config_loader.cpp).
        const bool wanted = entry.starts_with("HORNET_") || entry.starts_with("PORT=");
        if (!wanted || eq == std::string_view::npos) continue;
        env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    return env;
}

void apply_env(const EnvSnapshot& env, Config& config) {
    for (const Setting& s : settings()) {
        if (!s.env) continue;
        auto it = env.find(s.env_name());
        if (it == env.end()) continue;
        try {
            // Lists come as one string split on the setting's separator.
            s.codec.set(config, YAML::Node(it->second));
        } catch (const ValueError& e) {
            throw ConfigError("environment " + it->first + ": " + e.what());
        }
    }
}

} // namespace hornet
