// The CLI entry; see command_line.hpp.
#include "cli/command_line.hpp"

#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>
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
    Invocation inv;
    inv.check_config = cmd.check_config;
    inv.print_config = cmd.print_config;
    inv.list_plugins = cmd.list_plugins;
    inv.sources = config_sources(cmd.config_file, std::move(cmd.cli), envp);
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

// shlex.split's rules, as far as a command line needs them: blanks separate,
// '...' and "..." quote, a backslash escapes the next character.
std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quote) {
            if (ch == quote) quote = 0;
            else if (ch == '\\' && quote == '"' && i + 1 < text.size()) word += text[++i];
            else word += ch;
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
            in_word = true;
        } else if (ch == '\\' && i + 1 < text.size()) {
            word += text[++i];
            in_word = true;
        } else if (ch == ' ' || ch == '\t' || ch == '\n') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += ch;
            in_word = true;
        }
    }
    if (quote) throw ConfigError("environment GUNICORN_CMD_ARGS: unclosed quote");
    if (in_word) words.push_back(std::move(word));
    return words;
}

// Gunicorn's GUNICORN_CMD_ARGS: options that come before the command line's
// own, so the command line wins over them and they win over the file.
std::vector<std::string> with_gunicorn_cmd_args(int argc, char** argv, char** envp) {
    std::vector<std::string> args(argv, argv + argc);
    for (char** p = envp; p && *p; ++p) {
        const std::string_view entry(*p);
        if (!entry.starts_with("GUNICORN_CMD_ARGS=")) continue;
        std::vector<std::string> extra = split_words(std::string(entry.substr(18)));
        args.insert(args.begin() + (argc > 0 ? 1 : 0), extra.begin(), extra.end());
    }
    return args;
}

} // namespace

ConfigSources config_sources(const std::string& config_file, CliLayer cli, char** envp) {
    ConfigSources sources;
    sources.config_file = default_config_file(config_file);
    sources.config_path = absolute_path(sources.config_file);
    sources.env = capture_env(envp);
    sources.cli = std::move(cli);
    return sources;
}

std::variant<Invocation, int> parse_invocation(int argc, char** argv, char** envp) {
    try {
        std::vector<std::string> args = with_gunicorn_cmd_args(argc, argv, envp);
        std::vector<char*> pointers;
        for (std::string& a : args) pointers.push_back(a.data());
        pointers.push_back(nullptr);
        auto parsed = parse_command_line(static_cast<int>(args.size()), pointers.data());
        if (const int* code = std::get_if<int>(&parsed)) return *code;
        return build(std::move(std::get<CommandLine>(parsed)), envp);
    } catch (const ConfigError& e) {
        std::cerr << "hornet: error: " << one_line(e.what()) << std::endl;
        return 2;
    }
}

} // namespace hornet
