// CLI11 adapter; see cli_options.hpp.
#include "cli/cli_options.hpp"

#include <cstdio>
#include <deque>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config_error.hpp"
#include "config/gunicorn_settings.hpp"
#include "config/setting.hpp"
#include "config/suggest.hpp"

namespace hornet {

namespace {

constexpr const char* kFooter =
    "Every setting can also be given in the YAML file (-c) under its snake_case name\n"
    "(e.g. worker_class) and as HORNET_<NAME> in the environment (e.g. HORNET_WORKER_CLASS).\n"
    "Precedence: defaults < file < environment < command line.";

// One storage slot per settings-table row; CLI11 writes the raw strings here.
using Storage = std::vector<std::vector<std::string>>;

std::string describe(const Setting& s) { return std::string(s.help) + " (default: " + default_text(s) + ")"; }

CLI::Option* add_switch(CLI::App& app, const Setting& s, std::vector<std::string>& slot) {
    return app.add_flag_callback(cli_flag_names(s), [&slot] { slot.assign({"true"}); }, describe(s));
}

CLI::Option* add_setting(CLI::App& app, const Setting& s, std::vector<std::string>& slot) {
    if (s.codec.flag) return add_switch(app, s, slot);
    std::string names = s.cli == CliForm::positional ? std::string("APP") : cli_flag_names(s);
    CLI::Option* opt = app.add_option(names, slot, describe(s));
    // A positional is already named by its type in the usage line.
    opt->type_name(s.cli == CliForm::positional ? "" : std::string(s.codec.type_name));
    // One value per occurrence, so "-b :0 APP" leaves APP to the positional.
    opt->expected(1)->allow_extra_args(false);
    // Repeating a list option adds; repeating any other option overrides, as in Gunicorn.
    opt->multi_option_policy(s.codec.list ? CLI::MultiOptionPolicy::TakeAll : CLI::MultiOptionPolicy::TakeLast);
    return opt;
}

std::vector<std::string> all_flag_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* opt : app.get_options()) {
        for (const std::string& n : opt->get_lnames()) names.push_back("--" + n);
    }
    return names;
}

[[noreturn]] void reject_extra(const CLI::App& app, const std::string& arg) {
    if (arg.empty() || arg.front() != '-' || arg == "-")
        throw ConfigError("unexpected argument '" + arg + "'; only one APP may be given");
    std::string flag = arg.substr(0, arg.find('='));
    if (const GunicornOnly* g = find_gunicorn_only(flag))
        throw ConfigError(flag + ": Gunicorn's setting " + std::string(g->name) + " is not taken by hornet: " +
                          std::string(g->why));
    std::vector<std::string> names = all_flag_names(app);
    std::vector<std::string_view> views(names.begin(), names.end());
    std::string hint = did_you_mean(flag, views);
    throw ConfigError("unknown option '" + flag + "'" + (hint.empty() ? "; see hornet --help" : hint));
}

// Gunicorn's flags that hornet has no use for but a deploy script may pass
// (--worker-tmp-dir /dev/shm): taken, so that a value is not read as APP,
// and a warning each once parsed. Hidden from --help. The flags whose
// absence would change what is served (TLS, syslog) stay errors (reject_extra).
using IgnoredSeen = std::deque<std::pair<const GunicornOnly*, std::vector<std::string>>>;

void add_ignored_gunicorn_flags(CLI::App& app, IgnoredSeen& seen) {
    for (const GunicornOnly& g : gunicorn_only_settings()) {
        if (g.handling != GunicornOnly::Handling::ignore || g.flag.empty()) continue;
        auto& slot = seen.emplace_back(&g, std::vector<std::string>{}).second;
        const std::string flag(g.flag);
        CLI::Option* opt = g.takes_value ? app.add_option(flag, slot)->expected(1)->allow_extra_args(false)
                                         : app.add_flag_callback(flag, [&slot] { slot.assign({"true"}); });
        opt->group("")->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
}

void warn_ignored(const IgnoredSeen& seen) {
    for (const auto& [g, values] : seen) {
        if (values.empty()) continue;
        std::fprintf(stderr, "hornet: warning: %s: Gunicorn's setting %s is not needed by hornet (%s); ignored\n",
                     std::string(g->flag).c_str(), std::string(g->name).c_str(), std::string(g->why).c_str());
    }
}

void add_all(CLI::App& app, Storage& storage) {
    const std::vector<Setting>& table = settings();
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (table[i].cli != CliForm::none) add_setting(app, table[i], storage[i]);
    }
}

CliLayer collect(CLI::App& app, const Storage& storage) {
    CliLayer layer;
    const std::vector<Setting>& table = settings();
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (!storage[i].empty()) layer.push_back({&table[i], storage[i]});
    }
    if (!app.remaining().empty()) reject_extra(app, app.remaining().front());
    return layer;
}

} // namespace

std::string cli_flag_names(const Setting& s) {
    std::string names = s.long_flag();
    for (std::string_view alias : s.cli_aliases) names += "," + std::string(alias);
    return s.short_flag.empty() ? names : std::string(s.short_flag) + "," + names;
}

std::variant<CommandLine, int> parse_command_line(int argc, char** argv) {
    CLI::App app{"hornet: a pre-fork HTTP/1.1 application server", "hornet"};
    app.footer(kFooter);
    app.allow_extras(); // reported by reject_extra, with a suggestion
    app.set_version_flag("-v,--version", "hornet " HORNET_VERSION, "Print the version and exit");
    CommandLine cmd;
    Storage storage(settings().size());
    app.add_option("-c,--config", cmd.config_file,
                   "Config file: YAML, or Gunicorn's Python (*.py) (default: ./gunicorn.conf.py if there, else none)")
        ->type_name("PATH")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    add_all(app, storage);
    IgnoredSeen ignored;
    add_ignored_gunicorn_flags(app, ignored);
    app.add_flag("--check-config", cmd.check_config, "Check the configuration and exit");
    app.add_flag("--print-config", cmd.print_config, "Print the effective configuration as YAML and exit");
    app.add_flag("--list-plugins", cmd.list_plugins,
                 "List the plugins in plugin_path and the built-in folder (kind, name, version, ABI, path, "
                 "or why one cannot load) and exit");
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e); // --help, --version
    } catch (const CLI::ParseError& e) {
        throw ConfigError(e.what());
    }
    cmd.cli = collect(app, storage);
    warn_ignored(ignored);
    return cmd;
}

} // namespace hornet
