// Helpers shared by the config unit tests: a private temp folder for YAML
// files, and runners for parse_invocation / load_config that capture what
// the user would see.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "config/setting.hpp"

namespace hornet::test {

// A unique folder under /tmp, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "hornet-config-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // Writes `text` to `name` in the folder and returns its path.
    std::string write(const std::string& name, const std::string& text) const {
        std::filesystem::path p = path_ / name;
        std::ofstream(p) << text;
        return p.string();
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct Outcome {
    std::optional<Invocation> inv;
    int code = -1;  // set when parse_invocation returned an exit status
    std::string out, err;
};

// parse_invocation("hornet" + args) with exactly `env` as the environment.
inline Outcome run(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), "hornet");
    std::vector<char*> argv, envp;
    for (std::string& a : args) argv.push_back(a.data());
    for (std::string& e : env) envp.push_back(e.data());
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    auto result = parse_invocation(static_cast<int>(args.size()), argv.data(), envp.data());
    Outcome o;
    o.out = testing::internal::GetCapturedStdout();
    o.err = testing::internal::GetCapturedStderr();
    if (auto* inv = std::get_if<Invocation>(&result)) o.inv = std::move(*inv);
    else o.code = std::get<int>(result);
    return o;
}

// Loads `yaml` as a config file; returns the ConfigError text, or "" if none.
inline std::string file_error(const TempDir& dir, const std::string& yaml, std::string* path_out = nullptr) {
    ConfigSources sources;
    sources.config_file = dir.write("hornet.yaml", yaml);
    if (path_out) *path_out = sources.config_file;
    try {
        load_config(sources);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

inline Config load_file(const TempDir& dir, const std::string& yaml) {
    ConfigSources sources;
    sources.config_file = dir.write("hornet.yaml", yaml);
    return load_config(sources);
}

} // namespace hornet::test
