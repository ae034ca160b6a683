// --print-config output and its round trip (core/config/yaml_printer.cpp).
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace hornet {
namespace {

using test::load_file;
using test::run;
using test::TempDir;

TEST(PrintConfig, RoundTripOfDefaults) {
    TempDir dir;
    std::string first = to_yaml(Config{});
    std::string second = to_yaml(load_file(dir, first));
    EXPECT_EQ(first, second);
}

TEST(PrintConfig, RoundTripOfEverythingSet) {
    TempDir dir;
    auto o = run({"-c", dir.write("in.yaml", "app_config:\n  root: /srv\n  list: [1, 'two']\n  nested: {a: {b: c}}\n"),
                  "-b", ":0", "-b", "[::1]:0", "-b", "unix:/tmp/h.sock", "-w", "4", "-k", "gthread", "--threads", "8",
                  "-t", "90s", "--graceful-timeout", "1500ms", "--keep-alive", "2m", "--max-requests", "100",
                  "--max-requests-jitter", "10", "--log-level", "ERROR", "--error-logfile", "-",
                  "--access-logfile", "/var/log/a b.log", "--pid", "", "--plugin-path", "/p:/q",
                  "--limit-request-line", "8KiB", "--limit-request-body", "unlimited", "--backlog", "64", "myapp"});
    ASSERT_TRUE(o.inv) << o.err;
    std::string first = to_yaml(o.inv->config);
    auto again = run({"-c", dir.write("printed.yaml", first)});
    ASSERT_TRUE(again.inv) << again.err << first;
    EXPECT_EQ(first, to_yaml(again.inv->config));
    EXPECT_EQ(again.inv->config.app_config["nested"]["a"]["b"].as<std::string>(), "c");
}

TEST(PrintConfig, UnitsAreReadable) {
    Config c;
    c.workers = 5;
    c.keep_alive = std::chrono::milliseconds(500);
    c.limit_request_body = std::numeric_limits<std::uint64_t>::max();
    c.limit_request_field_size = 64 * 1024;
    std::string y = to_yaml(c);
    EXPECT_NE(y.find("\ntimeout: 30s\n"), std::string::npos) << y;
    EXPECT_NE(y.find("\nkeep_alive: 500ms\n"), std::string::npos) << y;
    EXPECT_NE(y.find("\nlimit_request_body: unlimited\n"), std::string::npos) << y;
    EXPECT_NE(y.find("\nlimit_request_field_size: 64KiB\n"), std::string::npos) << y;
    EXPECT_NE(y.find("\nlimit_request_line: 4094\n"), std::string::npos) << y;
    EXPECT_NE(y.find("\nworkers: 5\n"), std::string::npos) << y;
}

TEST(PrintConfig, EverySettingIsPrinted) {
    std::string y = to_yaml(Config{});
    for (const Setting& s : settings()) {
        // Built piecewise: "\n" + std::string trips GCC 12's -Wrestrict false positive at -O3.
        std::string key(1, '\n');
        key.append(s.name).append(":");
        EXPECT_NE(y.find(key), std::string::npos) << s.name;
    }
    EXPECT_EQ(y.find("workers: 0"), std::string::npos);
}

TEST(PrintConfig, AutoWorkersSayHowManyAndWhy) {
    std::string y = to_yaml(Config{});
    auto at = y.find("\nworkers: auto  # 2 x ");
    ASSERT_NE(at, std::string::npos) << y;
    std::string line = y.substr(at + 1, y.find('\n', at + 1) - at - 1);
    EXPECT_NE(line.find("CPU(s) in sched_getaffinity"), std::string::npos) << line;
    Config explicit_count;
    explicit_count.workers = 4;
    EXPECT_NE(to_yaml(explicit_count).find("\nworkers: 4\n"), std::string::npos);
}

TEST(PrintConfig, FlagsAreReportedNotActedOn) {
    auto o = run({"--print-config", "--check-config"});
    ASSERT_TRUE(o.inv) << o.err;
    EXPECT_TRUE(o.inv->print_config);
    EXPECT_TRUE(o.inv->check_config);
    EXPECT_EQ(o.out, "");
}

} // namespace
} // namespace hornet
