// parse_invocation: help, version, exit statuses and one-line CLI errors
// (core/cli/command_line.cpp, cli_options.cpp).
#include <gtest/gtest.h>

#include <algorithm>

#include "test_support.hpp"

namespace hornet {
namespace {

using test::run;
using test::TempDir;

// Exit status 2 and exactly one line on stderr, which is returned.
std::string cli_error(std::vector<std::string> args, std::vector<std::string> env = {}) {
    auto o = run(std::move(args), std::move(env));
    EXPECT_EQ(o.code, 2);
    EXPECT_FALSE(o.inv);
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    return o.err;
}

TEST(CommandLine, Version) {
    auto o = run({"--version"});
    EXPECT_EQ(o.code, 0);
    EXPECT_EQ(o.out, "hornet " HORNET_VERSION "\n");
}

TEST(CommandLine, HelpListsEveryOptionWithItsDefault) {
    auto o = run({"--help"});
    EXPECT_EQ(o.code, 0);
    for (const Setting& s : settings()) {
        if (s.cli != CliForm::option) continue;
        EXPECT_NE(o.out.find(s.long_flag()), std::string::npos) << s.name;
    }
    for (const char* flag : {"-c,--config", "--check-config", "--print-config", "--version", "-w,--workers",
                             "-b,--bind", "-k,--worker-class", "-t,--timeout", "APP"})
        EXPECT_NE(o.out.find(flag), std::string::npos) << flag;
    EXPECT_NE(o.out.find("(default: auto)"), std::string::npos);
    EXPECT_NE(o.out.find("(default: 30s)"), std::string::npos);
    EXPECT_NE(o.out.find("(default: 127.0.0.1:8000)"), std::string::npos);
}

TEST(CommandLine, PositionalAppAndFlags) {
    auto o = run({"--check-config", "-b", ":0", "hello"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.app, "hello");
    EXPECT_TRUE(o.inv->check_config);
    EXPECT_FALSE(o.inv->print_config);
}

TEST(CommandLine, UnknownOptionWithSuggestion) {
    EXPECT_EQ(cli_error({"--wrkers", "3"}), "hornet: error: unknown option '--wrkers'; did you mean '--workers'?\n");
    EXPECT_EQ(cli_error({"--keepalive=3"}), "hornet: error: unknown option '--keepalive'; did you mean '--keep-alive'?\n");
    EXPECT_EQ(cli_error({"--zzzzzzzz"}), "hornet: error: unknown option '--zzzzzzzz'; see hornet --help\n");
}

TEST(CommandLine, ValueErrorsNameTheFlag) {
    EXPECT_EQ(cli_error({"-w", "many"}), "hornet: error: --workers: expected an integer from 1 to 1024 or auto, got 'many'\n");
    EXPECT_EQ(cli_error({"--threads", "0"}), "hornet: error: --threads: expected an integer from 1 to 4096, got '0'\n");
    EXPECT_EQ(cli_error({"-t", "5x"}),
              "hornet: error: --timeout: unknown duration unit 'x' in '5x'; use ms, s, m or h (a bare number is seconds)\n");
    EXPECT_EQ(cli_error({"-b", "[::1"}), "hornet: error: --bind: bad bind address '[::1': missing ']' after the IPv6 address\n");
    EXPECT_EQ(cli_error({"--log-level", "loud"}),
              "hornet: error: --log-level: expected one of debug, info, warning, error, critical, got 'loud'\n");
    EXPECT_EQ(cli_error({"-k", ""}), "hornet: error: --worker-class: must not be empty\n");
}

TEST(CommandLine, SyntaxErrors) {
    EXPECT_NE(cli_error({"-w"}).find("--workers"), std::string::npos);
    EXPECT_EQ(cli_error({"app1", "app2"}), "hornet: error: unexpected argument 'app2'; only one APP may be given\n");
}

TEST(CommandLine, MissingConfigFile) {
    TempDir dir;
    std::string path = (dir.path() / "missing.yaml").string();
    EXPECT_EQ(cli_error({"-c", path}), "hornet: error: " + path + ": cannot read config file: No such file or directory\n");
}

TEST(CommandLine, FileErrorsArePrefixed) {
    TempDir dir;
    std::string path = dir.write("h.yaml", "workers: many\n");
    EXPECT_EQ(cli_error({"-c", path}),
              "hornet: error: " + path + ":1:10: 'workers': expected an integer from 1 to 1024 or auto, got 'many'\n");
}

} // namespace
} // namespace hornet
