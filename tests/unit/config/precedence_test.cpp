// defaults < file < environment < command line, and reload semantics
// (core/config/config_loader.cpp, env_layer.cpp, cli_layer.cpp).
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace hornet {
namespace {

using namespace std::chrono_literals;
using test::run;
using test::TempDir;

constexpr const char* kFile = "workers: 3\nkeep_alive: 5\ntimeout: 10s\nbind: ':1'\nplugin_path: [/file]\n";

TEST(Precedence, DefaultsWhenNothingIsGiven) {
    auto o = run({});
    ASSERT_TRUE(o.inv) << o.err;
    const Config& c = o.inv->config;
    EXPECT_EQ(c.bind, std::vector<std::string>{"127.0.0.1:8000"});
    EXPECT_EQ(c.worker_class, "sync");
    EXPECT_EQ(c.keep_alive, 2s);
    EXPECT_EQ(c.timeout, 30s);
    EXPECT_EQ(c.limit_request_body, 1ull << 30);
    EXPECT_GE(c.workers, 3u);
    EXPECT_TRUE(c.config_file.empty());
}

TEST(Precedence, FileOverDefaults) {
    TempDir dir;
    auto o = run({"-c", dir.write("h.yaml", kFile)});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.workers, 3u);
    EXPECT_EQ(o.inv->config.keep_alive, 5s);
    EXPECT_EQ(o.inv->config.threads, 1u); // untouched default
}

TEST(Precedence, EnvOverFile) {
    TempDir dir;
    auto o = run({"-c", dir.write("h.yaml", kFile)},
                 {"HORNET_WORKERS=4", "HORNET_KEEP_ALIVE=750ms", "HORNET_BIND=:2,[::1]:3",
                  "HORNET_PLUGIN_PATH=/env1:/env2", "HORNET_WORKER_CLASS=gthread", "HORNET_APP=hello"});
    ASSERT_TRUE(o.inv) << o.err;
    const Config& c = o.inv->config;
    EXPECT_EQ(c.workers, 4u);
    EXPECT_EQ(c.keep_alive, 750ms);
    EXPECT_EQ(c.timeout, 10s); // from the file
    EXPECT_EQ(c.bind, (std::vector<std::string>{"0.0.0.0:2", "[::1]:3"}));
    EXPECT_EQ(c.plugin_path, (std::vector<std::string>{"/env1", "/env2"}));
    EXPECT_EQ(c.worker_class, "gthread");
    EXPECT_EQ(c.app, "hello");
}

TEST(Precedence, CliOverEnv) {
    TempDir dir;
    auto o = run({"-c", dir.write("h.yaml", kFile), "-w", "5", "--keep-alive=1m", "-b", ":7", "-b", "unix:/tmp/s",
                  "--plugin-path", "/cli", "cliapp"},
                 {"HORNET_WORKERS=4", "HORNET_KEEP_ALIVE=750ms", "HORNET_BIND=:2", "HORNET_APP=envapp",
                  "HORNET_TIMEOUT=20"});
    ASSERT_TRUE(o.inv) << o.err;
    const Config& c = o.inv->config;
    EXPECT_EQ(c.workers, 5u);
    EXPECT_EQ(c.keep_alive, 1min);
    EXPECT_EQ(c.timeout, 20s); // env beats file, nothing on the CLI
    EXPECT_EQ(c.bind, (std::vector<std::string>{"0.0.0.0:7", "unix:/tmp/s"}));
    EXPECT_EQ(c.plugin_path, std::vector<std::string>{"/cli"}); // highest source wins, no merging
    EXPECT_EQ(c.app, "cliapp");
}

TEST(Precedence, RepeatedScalarOptionTakesLast) {
    auto o = run({"-w", "2", "--workers", "6"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.workers, 6u);
}

TEST(Precedence, UnknownHornetVariablesAreIgnored) {
    auto o = run({}, {"HORNET_WRKERS=abc", "HORNET_CONFIG=/nope.yaml", "HORNET_APP_CONFIG=x", "PATH=/bin"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_TRUE(o.inv->config.config_file.empty());
}

TEST(Precedence, EnvErrorsNameTheVariable) {
    auto o = run({}, {"HORNET_WORKERS=many"});
    EXPECT_EQ(o.code, 2);
    EXPECT_EQ(o.err, "hornet: error: environment HORNET_WORKERS: expected an integer from 1 to 1024 or auto, got 'many'\n");
}

TEST(Precedence, ReloadRereadsTheFileAndKeepsCliAndEnv) {
    TempDir dir;
    std::string path = dir.write("h.yaml", "workers: 3\ntimeout: 10s\nthreads: 2\n");
    auto o = run({"-c", path, "--threads", "9"}, {"HORNET_TIMEOUT=15s"});
    ASSERT_TRUE(o.inv) << o.err;
    dir.write("h.yaml", "workers: 7\ntimeout: 11s\nthreads: 3\n");
    Config c = load_config(o.inv->sources);
    EXPECT_EQ(c.workers, 7u);     // file changed
    EXPECT_EQ(c.timeout, 15s);    // env snapshot still wins
    EXPECT_EQ(c.threads, 9u);     // CLI still wins
    EXPECT_EQ(c.config_file, path);
}

TEST(Precedence, BadReloadThrowsConfigError) {
    TempDir dir;
    std::string path = dir.write("h.yaml", "workers: 3\n");
    auto o = run({"-c", path});
    ASSERT_TRUE(o.inv) << o.err;
    dir.write("h.yaml", "wrkers: 3\n");
    EXPECT_THROW(load_config(o.inv->sources), ConfigError);
}

} // namespace
} // namespace hornet
