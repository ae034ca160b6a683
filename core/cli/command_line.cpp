// The CLI entry; see command_line.hpp.
#include "cli/command_line.hpp"

#include <filesystem>
#include <iostream>
#include <system_error>

#include "cli/cli_options.hpp"

namespace hornet {

namespace {

// Absolute at start-up so a reload after a chdir (daemonizing) reads the same file.
std::string absolute_path(const std::string& path) {
    if (path.empty()) return path;
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(path, ec);
    return ec ? path : abs.string();
}

// Gunicorn reads ./gunicorn.conf.py when no -c is given, and so does hornet
// (a hornet.yaml is only ever read with -c).
std::string default_config_file(const std::string& given) {
    std::error_code ec;
    if (given.empty() && std::filesystem::is_regular_file("gunicorn.conf.py", ec)) return "gunicorn.conf.py";
    return given;
}

Invocation build(CommandLine cmd, char** envp) {
    cmd.config_file = default_config_file(cmd.config_file);
    Invocation inv;
    inv.check_config = cmd.check_config;
    inv.print_config = cmd.print_config;
    inv.list_plugins = cmd.list_plugins;
    inv.sources.config_file = cmd.config_file;
    inv.sources.config_path = absolute_path(cmd.config_file);
    inv.sources.env = capture_env(envp);
    inv.sources.cli = std::move(cmd.cli);
    inv.config = load_config(inv.sources);
    return inv;
}

// The contract is one line per error, whatever a library put in its message.
std::string one_line(std::string text) {
    for (char& ch : text) {
        if (ch == '\n' || ch == '\r') ch = ' ';
    }
    return text;
}

} // namespace

std::variant<Invocation, int> parse_invocation(int argc, char** argv, char** envp) {
    try {
        auto parsed = parse_command_line(argc, argv);
        if (const int* code = std::get_if<int>(&parsed)) return *code;
        return build(std::move(std::get<CommandLine>(parsed)), envp);
    } catch (const ConfigError& e) {
        std::cerr << "hornet: error: " << one_line(e.what()) << std::endl;
        return 2;
    }
}

} // namespace hornet
