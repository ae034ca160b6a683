// hornet ctl; see ctl_command.hpp.
#include "cli/ctl_command.hpp"

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_options.hpp"
#include "cli/command_line.hpp"
#include "cli/ctl_render.hpp"
#include "config/config_error.hpp"
#include "config/suggest.hpp"
#include "control/control_client.hpp"
#include "control/control_path.hpp"

namespace hornet {
namespace {

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_not_running = 3;

constexpr const char* kFooter = "COMMAND is one of: status, workers, reload, scale N, incr, decr, reopen-logs,\n"
                                "stop [--graceful], config, plugins, help (`hornet ctl help` asks the running\n"
                                "hornet for its list). Without --socket the socket is found from the same\n"
                                "-c, --pid, --name, --control-socket and --chdir (and HORNET_* environment)\n"
                                "the server was started with. Exit status: 0 done, 1 failed, 2 usage, 3 no hornet.";

// The server's settings that decide where its control socket is.
constexpr const char* kPlaceSettings[] = {"pid", "proc_name", "control_socket", "chdir"};

struct CtlLine {
    std::string socket; // --socket: overrides everything
    bool json = false;
    std::string config_file;
    CliLayer settings;
    std::string command;
    std::vector<std::string> args;
};

int usage_error(const std::string& line) {
    std::cerr << "hornet ctl: error: " << line << std::endl;
    return exit_usage;
}

std::vector<std::string> flag_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* opt : app.get_options())
        for (const std::string& n : opt->get_lnames()) names.push_back("--" + n);
    return names;
}

// prefix_command() leaves COMMAND and what follows it in remaining(), and
// an unknown option before COMMAND there too: that one is an error.
void take_command(const CLI::App& app, CtlLine& line) {
    std::vector<std::string> rest = app.remaining();
    if (rest.empty()) throw ConfigError("no COMMAND given; see hornet ctl --help");
    if (rest.front().size() > 1 && rest.front()[0] == '-') {
        std::vector<std::string> names = flag_names(app);
        std::vector<std::string_view> views(names.begin(), names.end());
        const std::string flag = rest.front().substr(0, rest.front().find('='));
        throw ConfigError("unknown option '" + flag + "'" + did_you_mean(flag, views));
    }
    line.command = rest.front();
    line.args.assign(rest.begin() + 1, rest.end());
}

std::variant<CtlLine, int> parse(int argc, char** argv) {
    CLI::App app{
        "hornet ctl [OPTIONS] COMMAND [ARGS...]: send one COMMAND to a running hornet through its control socket",
        "hornet ctl"};
    app.footer(kFooter);
    app.prefix_command();
    CtlLine line;
    app.add_option("--socket", line.socket, "The control socket to use, whatever the config says")->type_name("PATH");
    app.add_flag("--json", line.json, "Print the server's JSON reply instead of a table");
    app.add_option("-c,--config", line.config_file, "The config file the server was started with")->type_name("PATH");
    std::vector<std::string> values(std::size(kPlaceSettings));
    std::vector<CLI::Option*> given;
    for (std::size_t i = 0; i < std::size(kPlaceSettings); ++i) {
        const Setting& s = *find_setting(kPlaceSettings[i]);
        given.push_back(app.add_option(cli_flag_names(s), values[i], "As given to the server: " + std::string(s.help))
                            ->type_name(std::string(s.codec.type_name)));
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        throw ConfigError(e.what());
    }
    for (std::size_t i = 0; i < values.size(); ++i)
        if (given[i]->count() > 0) line.settings.push_back({find_setting(kPlaceSettings[i]), {values[i]}});
    take_command(app, line);
    return line;
}

// Where the server listens, as it computed it; nullopt when it has none.
std::optional<std::string> socket_path(CtlLine& line, char** envp) {
    if (!line.socket.empty()) return line.socket;
    const Config config = load_config(config_sources(line.config_file, std::move(line.settings), envp));
    const ControlSocketPlace place = control_socket_place(config, RuntimeFacts::of_this_process());
    if (place.path.empty()) return std::nullopt;
    return path_outside_chdir(place.path, config.chdir);
}

int show(const CtlLine& line, const ControlReply& reply) {
    const auto* ok = reply.object.if_contains("ok");
    const bool success = ok && ok->is_bool() && ok->get_bool();
    if (line.json) {
        std::cout << reply.line << std::endl;
        return success ? 0 : exit_failed;
    }
    if (!success) {
        const auto* error = reply.object.if_contains("error");
        const auto* message = error && error->is_object() ? error->get_object().if_contains("message") : nullptr;
        std::cerr << "hornet ctl: "
                  << (message && message->is_string() ? message->get_string().c_str() : reply.line.c_str())
                  << std::endl;
        return exit_failed;
    }
    const auto* result = reply.object.if_contains("result");
    render_result(std::cout, line.command,
                  result && result->is_object() ? result->get_object() : boost::json::object{});
    return 0;
}

} // namespace

int run_ctl(int argc, char** argv, char** envp) {
    try {
        auto parsed = parse(argc, argv);
        if (const int* code = std::get_if<int>(&parsed)) return *code;
        CtlLine& line = std::get<CtlLine>(parsed);
        auto path = socket_path(line, envp);
        if (!path) return usage_error("this hornet's control socket is off (control_socket: off); nothing to talk to");
        return show(line, call_control(*path, line.command, line.args));
    } catch (const ConfigError& e) {
        return usage_error(e.what());
    } catch (const ControlClientError& e) {
        std::cerr << "hornet ctl: " << e.what() << std::endl;
        return e.kind == ControlClientError::Kind::not_running ? exit_not_running : exit_failed;
    }
}

} // namespace hornet
