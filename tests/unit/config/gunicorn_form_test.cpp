// Gunicorn's ways of saying things, taken as hornet's: APP as MODULE:CALLABLE
// (core/config/python_app.cpp), --pythonpath, -e/--env, --app-config, and
// Gunicorn's other flag spellings (the cli_aliases column of settings.cpp).
#include <gtest/gtest.h>

#include "config/python_app.hpp"
#include "config/yaml_printer.hpp"
#include "test_support.hpp"

namespace hornet {
namespace {

using test::run;
using test::TempDir;

std::string scalar(const YAML::Node& map, const char* key) {
    return map[key] && map[key].IsScalar() ? map[key].Scalar() : "<absent>";
}

TEST(GunicornForm, TellsAPythonModuleFromAPlugin) {
    for (const char* spec : {"myapp:app", "mysite.wsgi", "mysite.wsgi:application", "app:create_app()", "a:b.c"})
        EXPECT_TRUE(is_python_app_spec(spec)) << spec;
    for (const char* name : {"", "hello", "wsgi", "./x.so", "/opt/p/x.so", "x.so", "plugins/a:b"})
        EXPECT_FALSE(is_python_app_spec(name)) << name;
}

TEST(GunicornForm, ModuleAppBecomesTheWsgiAppWithItsModule) {
    auto o = run({"myapp:app"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.app, "wsgi");
    EXPECT_EQ(scalar(o.inv->config.app_config, "module"), "myapp:app");
}

TEST(GunicornForm, CommandLineModuleWinsOverTheFiles) {
    TempDir dir;
    std::string file = dir.write("h.yaml", "app: wsgi\napp_config: {module: 'old:app', script_name: /x}\n");
    auto o = run({"-c", file, "new:app"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(scalar(o.inv->config.app_config, "module"), "new:app");
    EXPECT_EQ(scalar(o.inv->config.app_config, "script_name"), "/x");
}

TEST(GunicornForm, WsgiAppIsAnAliasInTheFile) {
    TempDir dir;
    auto o = run({"-c", dir.write("h.yaml", "wsgi_app: 'mysite.wsgi'\n")});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.app, "wsgi");
    EXPECT_EQ(scalar(o.inv->config.app_config, "module"), "mysite.wsgi");
}

TEST(GunicornForm, PythonpathGoesFirstIntoAppConfigAsAList) {
    TempDir dir;
    std::string file = dir.write("h.yaml", "app_config: {pythonpath: [/srv/lib]}\n");
    auto o = run({"-c", file, "--pythonpath", "/a,/b", "m:app"});
    ASSERT_TRUE(o.inv) << o.err;
    const YAML::Node dirs = o.inv->config.app_config["pythonpath"];
    ASSERT_TRUE(dirs.IsSequence());
    std::vector<std::string> got;
    for (const auto& d : dirs) got.push_back(d.Scalar());
    EXPECT_EQ(got, (std::vector<std::string>{"/a", "/b", "/srv/lib"}));
    EXPECT_TRUE(o.inv->config.pythonpath.empty());
}

TEST(GunicornForm, PrintedConfigReadsBackTheSame) {
    TempDir dir;
    auto o = run({"--pythonpath", "/a", "-e", "X=1", "--app-config", "script_name=/shop", "--reload",
                  "--reload-extra-file", "/etc/x.yaml", "m:app"});
    ASSERT_TRUE(o.inv) << o.err;
    const std::string printed = to_yaml(o.inv->config);
    auto again = run({"-c", dir.write("p.yaml", printed)});
    ASSERT_TRUE(again.inv) << again.err;
    EXPECT_EQ(to_yaml(again.inv->config), printed);
}

TEST(GunicornForm, ReloadGoesToTheApp) {
    auto o = run({"--reload", "--reload-extra-file", "a.txt,b.txt", "m:app"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(scalar(o.inv->config.app_config, "reload"), "true");
    EXPECT_EQ(o.inv->config.app_config["reload_extra_files"].size(), 2u);
    EXPECT_FALSE(o.inv->config.reload);
}

TEST(GunicornForm, AppConfigOptionSetsKeysAndDottedPaths) {
    TempDir dir;
    std::string file = dir.write("h.yaml", "app: hello\napp_config: {keep: 1, db: {port: 5432}}\n");
    auto o = run({"-c", file, "--app-config", "db.host=x", "--app-config", "greeting=a=b"});
    ASSERT_TRUE(o.inv) << o.err;
    const YAML::Node& c = o.inv->config.app_config;
    EXPECT_EQ(scalar(c, "keep"), "1");
    EXPECT_EQ(scalar(c["db"], "host"), "x");
    EXPECT_EQ(scalar(c["db"], "port"), "5432");
    EXPECT_EQ(scalar(c, "greeting"), "a=b");
}

TEST(GunicornForm, BadEntriesAreOneLine) {
    auto bad_app_config = run({"--app-config", "novalue", "hello"});
    EXPECT_EQ(bad_app_config.code, 2);
    EXPECT_NE(bad_app_config.err.find("--app-config: expected a map of settings for the app, or KEY=VALUE"), std::string::npos) << bad_app_config.err;
    auto bad_env = run({"-e", "=x", "hello"});
    EXPECT_EQ(bad_env.code, 2);
    EXPECT_NE(bad_env.err.find("--raw-env: expected KEY=VALUE"), std::string::npos) << bad_env.err;
}

TEST(GunicornForm, RawEnvRepeats) {
    auto o = run({"-e", "A=1", "--env", "B=x,y", "hello"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.raw_env, (std::vector<std::string>{"A=1", "B=x,y"}));
}

TEST(GunicornForm, GunicornWorkerClassNames) {
    for (auto [given, want] : {std::pair{"gevent", "async"}, {"eventlet", "async"},
                               {"gunicorn.workers.gthread.ThreadWorker", "gthread"},
                               {"gunicorn.workers.sync.SyncWorker", "sync"}, {"gthread", "gthread"}}) {
        auto o = run({"-k", given, "hello"});
        ASSERT_TRUE(o.inv) << o.err;
        EXPECT_EQ(o.inv->config.worker_class, want) << given;
    }
}

TEST(GunicornForm, AGunicornFlagHornetLacksSaysWhy) {
    auto o = run({"--dirty-app", "x:y", "hello"});
    EXPECT_EQ(o.code, 2);
    EXPECT_NE(o.err.find("--dirty-app: Gunicorn's setting dirty_apps is not taken by hornet: hornet has no dirty arbiters"),
              std::string::npos) << o.err;
}

TEST(GunicornForm, GunicornTlsFlagsAreHornets) {
    auto o = run({"--certfile", "c.pem", "--keyfile", "k.pem", "--ca-certs", "ca.pem", "--cert-reqs", "2",
                  "--ssl-version", "TLSv1_3", "--ciphers", "ECDHE+AESGCM", "--do-handshake-on-connect", "hello"});
    ASSERT_TRUE(o.inv) << o.err;
    const hornet::Config& c = o.inv->config;
    EXPECT_EQ(c.certfile, "c.pem");
    EXPECT_EQ(c.keyfile, "k.pem");
    EXPECT_EQ(c.ca_certs, "ca.pem");
    EXPECT_EQ(c.cert_reqs, "required");
    EXPECT_EQ(c.ssl_version, "tlsv1_3");
    EXPECT_EQ(c.ciphers, "ECDHE+AESGCM");
    EXPECT_TRUE(c.do_handshake_on_connect);
}

TEST(GunicornForm, GunicornCmdArgsComeBeforeTheCommandLine) {
    auto o = run({"-w", "3", "hello"}, {"GUNICORN_CMD_ARGS=--workers 5 --threads 4 --name 'my shop' -e A=\"x y\""});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.workers, 3u); // the command line wins
    EXPECT_EQ(o.inv->config.threads, 4u);
    EXPECT_EQ(o.inv->config.proc_name, "my shop");
    EXPECT_EQ(o.inv->config.raw_env, (std::vector<std::string>{"A=x y"}));
    auto bad = run({"hello"}, {"GUNICORN_CMD_ARGS=--name 'open"});
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("GUNICORN_CMD_ARGS: unclosed quote"), std::string::npos) << bad.err;
}

TEST(GunicornForm, PortInTheEnvironmentIsTheDefaultBind) {
    auto o = run({"hello"}, {"PORT=5000"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.bind, (std::vector<std::string>{"0.0.0.0:5000"}));
    auto given = run({"-b", "127.0.0.1:7000", "hello"}, {"PORT=5000"});
    ASSERT_TRUE(given.inv) << given.err;
    EXPECT_EQ(given.inv->config.bind, (std::vector<std::string>{"127.0.0.1:7000"}));
    auto bad = run({"hello"}, {"PORT=http"});
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("environment PORT: "), std::string::npos) << bad.err;
}

TEST(GunicornForm, GunicornsOtherFlagSpellings) {
    auto o = run({"--log-file", "/tmp/e.log", "-p", "/tmp/h.pid", "--name", "shop", "--access-logformat", "%(h)s",
                  "--proxy-allow-from", "10.0.0.1", "--limit-request-field_size", "100", "hello"});
    ASSERT_TRUE(o.inv) << o.err;
    const Config& c = o.inv->config;
    EXPECT_EQ(c.error_logfile, "/tmp/e.log");
    EXPECT_EQ(c.pid, "/tmp/h.pid");
    EXPECT_EQ(c.proc_name, "shop");
    EXPECT_EQ(c.access_log_format, "%(h)s");
    EXPECT_EQ(c.proxy_allow_ips, (std::vector<std::string>{"10.0.0.1"}));
    EXPECT_EQ(c.limit_request_field_size, 100u);
}

// -c gunicorn.conf.py: run by /usr/bin/python3, its values checked by the
// settings table as a YAML file's are (python_config_file.cpp).
TEST(GunicornConfigFile, SettingsComeThroughTheTable) {
    TempDir dir;
    std::string file = dir.write("gunicorn.conf.py",
                                 "import os\n"
                                 "bind = ['127.0.0.1:9000', 'unix:/tmp/x.sock']\n"
                                 "workers = 3\nthreads = 2 * 2\nworker_class = 'gthread'\n"
                                 "timeout = 45\nkeepalive = 5\numask = 0o027\n"
                                 "raw_env = ['A=1']\nwsgi_app = 'myapp:app'\nloglevel = 'debug'\n"
                                 "accesslog = '-'\nsecure_scheme_headers = {'X-PROTO': 'https'}\n"
                                 "preload_app = True\nmy_own_variable = 7\n");
    auto o = run({"-c", file});
    ASSERT_TRUE(o.inv) << o.err;
    const Config& c = o.inv->config;
    EXPECT_EQ(c.bind, (std::vector<std::string>{"127.0.0.1:9000", "unix:/tmp/x.sock"}));
    EXPECT_EQ(c.workers, 3u);
    EXPECT_EQ(c.threads, 4u);
    EXPECT_EQ(c.worker_class, "gthread");
    EXPECT_EQ(c.timeout, Millis(45000));
    EXPECT_EQ(c.keep_alive, Millis(5000));
    EXPECT_EQ(c.umask, 027u);
    EXPECT_EQ(c.raw_env, (std::vector<std::string>{"A=1"}));
    EXPECT_EQ(c.app, "wsgi");
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_EQ(c.access_logfile, "-");
    EXPECT_TRUE(c.preload_app);
    ASSERT_EQ(c.secure_scheme_headers.size(), 1u);
    EXPECT_FALSE(c.app_config["gunicorn_config"]); // no hooks: the app is not told
}

TEST(GunicornConfigFile, BadValueNamesFileAndSetting) {
    TempDir dir;
    std::string file = dir.write("g.conf.py", "workers = 'many'\n");
    auto o = run({"-c", file});
    EXPECT_EQ(o.code, 2);
    EXPECT_NE(o.err.find(file + ": 'workers': expected an integer"), std::string::npos) << o.err;
}

TEST(GunicornConfigFile, ExceptionIsOneLineWithItsLine) {
    TempDir dir;
    std::string file = dir.write("g.conf.py", "workers = 2\nthreads = undefined_name\n");
    auto o = run({"-c", file});
    EXPECT_EQ(o.code, 2);
    EXPECT_NE(o.err.find(file + ":2: NameError: name 'undefined_name' is not defined"), std::string::npos) << o.err;
    file = dir.write("s.conf.py", "workers = (\n");
    o = run({"-c", file});
    EXPECT_EQ(o.code, 2);
    EXPECT_NE(o.err.find(file + ":1: SyntaxError"), std::string::npos) << o.err;
}

TEST(GunicornConfigFile, HooksAreLeftToTheAppAndTheArbiter) {
    TempDir dir;
    std::string file = dir.write("g.conf.py", "def post_fork(server, worker):\n    pass\n"
                                              "def when_ready(server):\n    pass\n"
                                              "def pre_fork(server, worker):\n    pass\nsyslog_addr = 'x:1'\n");
    auto o = run({"-c", file, "m:app"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(scalar(o.inv->config.app_config, "gunicorn_config"), file);
    EXPECT_EQ(o.inv->config.server_hooks, file);
    EXPECT_NE(o.err.find("'pre_fork': a Gunicorn hook hornet does not run (hornet's arbiter forks workers"),
              std::string::npos) << o.err;
    EXPECT_NE(o.err.find("'syslog_addr': Gunicorn's setting is not taken by hornet (hornet has no syslog"),
              std::string::npos) << o.err;
}

TEST(GunicornConfigFile, OnlyWorkerHooksLeaveTheArbiterAlone) {
    TempDir dir;
    std::string file = dir.write("g.conf.py", "def worker_int(worker):\n    pass\n");
    auto o = run({"-c", file, "m:app"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(scalar(o.inv->config.app_config, "gunicorn_config"), file);
    EXPECT_EQ(o.inv->config.server_hooks, "");
}

TEST(GunicornForm, FlagsHornetDoesNotNeedAreTakenWithAWarning) {
    auto o = run({"--worker-tmp-dir", "/dev/shm", "--no-sendfile", "-R", "--http-protocols", "h1", "hello"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_EQ(o.inv->config.app, "hello"); // /dev/shm was the flag's, not APP
    EXPECT_NE(o.err.find("--worker-tmp-dir: Gunicorn's setting worker_tmp_dir is not needed by hornet (hornet's "
                         "heartbeat is a shared-memory scoreboard"),
              std::string::npos) << o.err;
    EXPECT_NE(o.err.find("-R: Gunicorn's setting enable_stdio_inheritance is not needed"), std::string::npos) << o.err;
}

TEST(GunicornForm, FlagsWhoseLossWouldChangeTheServiceAreRefused) {
    for (const char* flag : {"--dirty-app", "--log-syslog-to", "--forwarder-headers"}) {
        auto o = run({flag, "x", "hello"});
        EXPECT_EQ(o.code, 2) << flag;
        EXPECT_NE(o.err.find(std::string(flag) + ": Gunicorn's setting "), std::string::npos) << o.err;
    }
}

} // namespace
} // namespace hornet
