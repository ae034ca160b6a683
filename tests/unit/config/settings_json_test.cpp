// The settings as the arbiter's hooks see them (server.cfg): JSON with
// Gunicorn's types, under hornet's names and Gunicorn's aliases.
#include <gtest/gtest.h>

#include "config/settings_json.hpp"

namespace hornet {
namespace {

bool has(const std::string& json, const std::string& member) { return json.find(member) != std::string::npos; }

TEST(SettingsJson, GunicornTypesUnderBothNames) {
    Config c;
    c.workers = 3;
    c.timeout = Millis(20000);
    c.keep_alive = Millis(1500);
    c.proc_name = "42";
    c.bind = {"127.0.0.1:9000", "unix:/run/a \"b\".sock"};
    const std::string json = settings_json(c);
    EXPECT_TRUE(has(json, "\"workers\":3")) << json;
    EXPECT_TRUE(has(json, "\"timeout\":20,")) << json;
    EXPECT_TRUE(has(json, "\"keep_alive\":1.500,\"keepalive\":1.500")) << json;
    EXPECT_TRUE(has(json, "\"preload_app\":false")) << json;
    EXPECT_TRUE(has(json, "\"proc_name\":\"42\"")) << json; // text stays text
    EXPECT_TRUE(has(json, "\"bind\":[\"127.0.0.1:9000\",\"unix:/run/a \\\"b\\\".sock\"]")) << json;
    EXPECT_TRUE(has(json, "\"pidfile\":\"\"")) << json;
    EXPECT_EQ(json.front(), '{');
    EXPECT_EQ(json.back(), '}');
}

} // namespace
} // namespace hornet
