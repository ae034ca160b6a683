// Reading and checking the shared app_config keys; see python_config.hpp.
#include "python_config.hpp"

#include <algorithm>
#include <filesystem>

#include "module_check.hpp"
#include "python_error.hpp"

namespace hornet::python {
namespace {

std::string absolute(const std::string& dir) {
    return std::filesystem::absolute(dir).lexically_normal().string();
}

// Gunicorn separates pythonpath entries with ','; PYTHONPATH uses ':'.
std::vector<std::string> split_dirs(const std::string& list) {
    std::vector<std::string> dirs;
    size_t begin = 0;
    while (begin <= list.size()) {
        size_t end = list.find_first_of(",:", begin);
        if (end == std::string::npos) end = list.size();
        std::string dir = list.substr(begin, end - begin);
        if (!dir.empty()) dirs.push_back(absolute(dir));
        begin = end + 1;
    }
    return dirs;
}

// A string ("a,b" or "a:b"), or a list of them (ABI 1.2 hosts index lists).
std::vector<std::string> dir_list(const hornet_host_t* host, const std::string& name) {
    hornet_str_t out{};
    const int rc = host->config_get(host, name.c_str(), &out);
    if (rc == HORNET_OK) return split_dirs(std::string(out.ptr, out.len));
    if (rc == HORNET_ENOENT) return {};
    std::vector<std::string> dirs;
    for (int i = 0;; ++i) {
        const std::string key = name + "." + std::to_string(i);
        const auto entry = config_string(host, key.c_str());
        if (!entry && i == 0)
            throw PythonError("app_config." + name + " must be a string or a list of paths, not a map");
        if (!entry) return dirs;
        for (std::string& d : split_dirs(*entry)) dirs.push_back(std::move(d));
    }
}

void split_module(const std::string& spec, PythonConfig& c, const std::string& example,
                  const char* default_callable) {
    const size_t colon = spec.find(':');
    c.module = spec.substr(0, colon);
    c.callable = colon == std::string::npos ? default_callable : spec.substr(colon + 1);
    if (c.module.size() > 3 && c.module.ends_with(".py"))
        throw PythonError("app_config.module '" + spec + "' names a file; name the module instead, e.g. '" +
                          c.module.substr(0, c.module.size() - 3) + ":" + c.callable + "'");
    if (c.module.empty() || c.callable.empty())
        throw PythonError("app_config.module '" + spec +
                          "' is not of the form 'package.module:callable' (e.g. '" + example + "')");
}

size_t distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string unknown_key_line(const std::string& key, std::span<const char* const> keys) {
    std::string best, all;
    size_t best_distance = 3; // beyond 2 edits it is another word
    for (const char* k : keys) {
        all += (all.empty() ? "" : ", ") + std::string(k);
        if (const size_t d = distance(key, k); d < best_distance) best_distance = d, best = k;
    }
    return "app_config." + key + ": not a setting of the " + app_label() + " app" +
           (best.empty() ? "" : "; did you mean '" + best + "'?") + " (it takes " + all + ")";
}

} // namespace

std::optional<std::string> config_string(const hornet_host_t* host, const char* key) {
    hornet_str_t out{};
    const int rc = host->config_get(host, key, &out);
    if (rc == HORNET_ENOENT) return std::nullopt;
    if (rc != HORNET_OK)
        throw PythonError(std::string("app_config.") + key + " must be a single value (a string), not a list or map");
    return std::string(out.ptr, out.len);
}

bool parse_flag(const std::string& key, const std::string& v) {
    if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
    if (v == "false" || v == "no" || v == "off" || v == "0" || v.empty()) return false;
    throw PythonError("app_config." + key + " '" + v + "' is not true or false");
}

void read_python_config(const hornet_host_t* host, PythonConfig& c, const std::string& example,
                        const char* default_callable) {
    const auto module = config_string(host, "module");
    if (!module || module->empty())
        throw PythonError("app_config.module is not set: name the " + std::string(app_label() == "asgi" ? "ASGI" : "WSGI") +
                          " callable, e.g. app_config: {module: '" + example + "'}");
    split_module(*module, c, example, default_callable);
    c.pythonpath = dir_list(host, "pythonpath");
    if (auto r = config_string(host, "reload")) c.reload = parse_flag("reload", *r);
    c.reload_extra_files = dir_list(host, "reload_extra_files");
    if (auto v = config_string(host, "virtualenv"); v && !v->empty()) {
        c.virtualenv = absolute(*v);
        if (!std::filesystem::exists(c.virtualenv + "/pyvenv.cfg"))
            throw PythonError("app_config.virtualenv '" + c.virtualenv +
                              "' is not a virtualenv (no pyvenv.cfg): create it with python3 -m venv");
    }
}

void check_known_keys(const hornet_host_t* host, std::span<const char* const> keys) {
    if (!HORNET_HAS(host, hornet_host_t, config_key_at) || !host->config_key_at) return;
    hornet_str_t key{};
    for (size_t i = 0; host->config_key_at(host, "", i, &key) == HORNET_OK; ++i) {
        const std::string name(key.ptr, key.len);
        if (std::find(keys.begin(), keys.end(), name) == keys.end()) throw PythonError(unknown_key_line(name, keys));
    }
}

void check_python_config(const hornet_host_t* host, const PythonConfig& c) {
    for (const std::string& dir : c.pythonpath) {
        if (!std::filesystem::is_directory(dir))
            throw PythonError("app_config.pythonpath: no folder '" + dir + "'; fix the path or remove it");
    }
    check_module(host, c);
}

} // namespace hornet::python
