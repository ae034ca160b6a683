// The YAML file layer: every error class with its file:line:column, aliases,
// lists, app_config (core/config/yaml_file_layer.cpp and the codecs).
#include <gtest/gtest.h>

#include <sstream>

#include "test_support.hpp"

namespace hornet {
namespace {

using namespace std::chrono_literals;
using test::file_error;
using test::load_file;
using test::TempDir;

class YamlFile : public ::testing::Test {
protected:
    // The error for `yaml`, with the temp path replaced by "F".
    std::string error(const std::string& yaml) {
        std::string path;
        std::string e = file_error(dir_, yaml, &path);
        if (!e.starts_with(path)) return e;
        // Not e.replace(): GCC 12 -O3 reports a false -Wrestrict on it.
        std::ostringstream shown;
        shown << 'F' << std::string_view(e).substr(path.size());
        return shown.str();
    }
    TempDir dir_;
};

TEST_F(YamlFile, UnknownKeyWithSuggestion) {
    EXPECT_EQ(error("bind: 127.0.0.1:0\nworkrs: 4\n"), "F:2:1: key 'workrs': unknown setting; did you mean 'workers'?");
    EXPECT_EQ(error("keepalve: 5\n"), "F:1:1: key 'keepalve': unknown setting; did you mean 'keepalive'?");
    EXPECT_EQ(error("zzzzzzzz: 1\n"), "F:1:1: key 'zzzzzzzz': unknown setting");
}

TEST_F(YamlFile, WrongInteger) {
    EXPECT_EQ(error("bind: 127.0.0.1:0\ntimeout: 10s\nworkers: many\n"),
              "F:3:10: 'workers': expected an integer from 1 to 1024 or auto, got 'many'");
}

TEST_F(YamlFile, OutOfRange) {
    EXPECT_EQ(error("threads: 5000\n"), "F:1:10: 'threads': expected an integer from 1 to 4096, got '5000'");
    EXPECT_EQ(error("workers: 0\n"), "F:1:10: 'workers': expected an integer from 1 to 1024 or auto, got '0'");
    EXPECT_EQ(error("backlog: 70000\n"), "F:1:10: 'backlog': expected an integer from 1 to 65535, got '70000'");
    EXPECT_EQ(error("limit_request_line: 2MiB\n"),
              "F:1:21: 'limit_request_line': expected a size from 1 to 1MiB, got '2MiB'");
}

TEST_F(YamlFile, WrongShape) {
    EXPECT_EQ(error("workers: [1, 2]\n"), "F:1:10: 'workers': expected a single value, got a list");
    EXPECT_EQ(error("timeout: {a: 1}\n"), "F:1:10: 'timeout': expected a single value, got a map");
    EXPECT_EQ(error("bind: {a: 1}\n"), "F:1:7: 'bind': expected a list or a single value, got a map");
    EXPECT_EQ(error("app_config: 3\n"), "F:1:13: 'app_config': expected a map of settings for the app, or KEY=VALUE (e.g. module=myapp:app), got '3'");
    EXPECT_EQ(error("workers:\n"), "F:1:1: 'workers': missing value; remove the setting to keep the default");
    EXPECT_EQ(error("- workers\n"), "F:1:1: expected a map of settings (name: value) at the top");
}

TEST_F(YamlFile, BadUnits) {
    EXPECT_EQ(error("timeout: 5x\n"),
              "F:1:10: 'timeout': unknown duration unit 'x' in '5x'; use ms, s, m or h (a bare number is seconds)");
    EXPECT_EQ(error("limit_request_body: 10QB\n"),
              "F:1:21: 'limit_request_body': unknown size unit 'QB' in '10QB'; "
              "use B, KiB, MiB, GiB, TiB (x1024) or KB, MB, GB, TB (x1000)");
}

TEST_F(YamlFile, SyntaxErrorHasLineAndColumn) {
    std::string e = error("workers: 4\ntimeout: [1, 2\n");
    EXPECT_TRUE(e.starts_with("F:3:1: YAML syntax error: ")) << e;
    e = error("workers: 4\n  bad: indent\n");
    EXPECT_TRUE(e.starts_with("F:2:")) << e;
    EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
}

TEST_F(YamlFile, MissingFileNamesThePath) {
    ConfigSources sources;
    sources.config_file = (dir_.path() / "nope.yaml").string();
    try {
        load_config(sources);
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), sources.config_file + ": cannot read config file: No such file or directory");
    }
}

TEST_F(YamlFile, BadBindPointsAtTheEntry) {
    EXPECT_EQ(error("bind:\n  - 127.0.0.1:0\n  - ::1:80\n"),
              "F:3:5: 'bind': bad bind address '::1:80': write IPv6 addresses in brackets, e.g. [::1]:8000");
    EXPECT_EQ(error("bind: 1.2.3.4:99999\n"),
              "F:1:7: 'bind': bad bind address '1.2.3.4:99999': port '99999' is not a number from 0 to 65535");
    EXPECT_EQ(error("bind: []\n"), "F:1:7: 'bind': needs at least one entry");
}

TEST_F(YamlFile, BadLogLevel) {
    EXPECT_EQ(error("log_level: verbose\n"),
              "F:1:12: 'log_level': expected one of debug, info, warning, error, critical, got 'verbose'");
    EXPECT_EQ(error("loglevel: warn\n"),
              "F:1:11: 'log_level': expected one of debug, info, warning, error, critical, got 'warn'; "
              "did you mean 'warning'?");
}

TEST_F(YamlFile, DuplicateThroughAlias) {
    EXPECT_EQ(error("keep_alive: 5\nkeepalive: 6\n"), "F:2:1: key 'keepalive': 'keep_alive' is already set on line 1");
}

TEST_F(YamlFile, EmptyFileKeepsDefaults) {
    Config c = load_file(dir_, "# nothing\n");
    EXPECT_EQ(c.bind, std::vector<std::string>{"127.0.0.1:8000"});
    EXPECT_EQ(c.timeout, 30s);
}

TEST_F(YamlFile, GunicornAliases) {
    Config c = load_file(dir_,
                         "keepalive: 5\nloglevel: DEBUG\nerrorlog: /tmp/e.log\naccesslog: '-'\npidfile: /tmp/h.pid\n");
    EXPECT_EQ(c.keep_alive, 5s);
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_EQ(c.error_logfile, "/tmp/e.log");
    EXPECT_EQ(c.access_logfile, "-");
    EXPECT_EQ(c.pid, "/tmp/h.pid");
}

TEST_F(YamlFile, TypedValues) {
    Config c = load_file(dir_,
                         "workers: 3\nworker_class: gthread\nthreads: 8\nworker_connections: 50\n"
                         "timeout: 2m\ngraceful_timeout: 500ms\nmax_requests: 1000\nmax_requests_jitter: 50\n"
                         "backlog: 128\nlimit_request_line: 8KiB\nlimit_request_fields: 50\n"
                         "limit_request_field_size: 10KB\nlimit_request_body: unlimited\napp: hello\n");
    EXPECT_EQ(c.workers, 3u);
    EXPECT_EQ(c.worker_class, "gthread");
    EXPECT_EQ(c.threads, 8u);
    EXPECT_EQ(c.worker_connections, 50u);
    EXPECT_EQ(c.timeout, 2min);
    EXPECT_EQ(c.graceful_timeout, 500ms);
    EXPECT_EQ(c.max_requests, 1000u);
    EXPECT_EQ(c.max_requests_jitter, 50u);
    EXPECT_EQ(c.backlog, 128);
    EXPECT_EQ(c.limit_request_line, 8192u);
    EXPECT_EQ(c.limit_request_fields, 50u);
    EXPECT_EQ(c.limit_request_field_size, 10000u);
    EXPECT_EQ(c.limit_request_body, std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(c.app, "hello");
}

TEST_F(YamlFile, BindAsStringOrList) {
    EXPECT_EQ(load_file(dir_, "bind: ':0'\n").bind, std::vector<std::string>{"0.0.0.0:0"});
    EXPECT_EQ(load_file(dir_, "bind: ['[::1]:0', unix:/tmp/h.sock]\n").bind,
              (std::vector<std::string>{"[::1]:0", "unix:/tmp/h.sock"}));
}

TEST_F(YamlFile, PluginPathAsStringOrList) {
    EXPECT_EQ(load_file(dir_, "plugin_path: /a:/b\n").plugin_path, (std::vector<std::string>{"/a", "/b"}));
    EXPECT_EQ(load_file(dir_, "plugin_path: [/a, /c]\n").plugin_path, (std::vector<std::string>{"/a", "/c"}));
    EXPECT_TRUE(load_file(dir_, "plugin_path: []\n").plugin_path.empty());
}

TEST_F(YamlFile, AppConfigIsKeptAsIs) {
    Config c = load_file(dir_, "app: echo\napp_config:\n  root: /srv/www\n  anything_goes: [1, 2]\n"
                               "  nested: {deep: true}\n");
    ASSERT_TRUE(c.app_config.IsMap());
    EXPECT_EQ(c.app_config["root"].as<std::string>(), "/srv/www");
    EXPECT_EQ(c.app_config["anything_goes"].size(), 2u);
    EXPECT_TRUE(c.app_config["nested"]["deep"].as<bool>());
    EXPECT_TRUE(load_file(dir_, "app_config:\n").app_config.IsMap());
}

TEST_F(YamlFile, WorkersResolvedWhenUnset) {
    Config c = load_file(dir_, "threads: 2\n");
    EXPECT_GE(c.workers, 3u);
    EXPECT_EQ(c.workers % 2, 1u);
}

} // namespace
} // namespace hornet
