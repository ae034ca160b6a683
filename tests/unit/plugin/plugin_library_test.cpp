// The plugin loader's refusals: each broken plugin in tests/fixtures gets one
// line that names the file and says what to do.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/host_services.hpp"
#include "plugin/plugin_error.hpp"
#include "plugin/plugin_finder.hpp"
#include "plugin/plugin_library.hpp"

namespace hornet {
namespace {

const std::string fixtures = HORNET_TEST_FIXTURE_DIR;
const std::string plugins = HORNET_TEST_PLUGIN_DIR;

// The PluginError message of loading `file` as an app.
std::string refusal(const std::string& file) {
    try {
        AppLibrary::load(fixtures + "/" + file);
    } catch (const PluginError& e) {
        return e.what();
    }
    return "loaded";
}

void expect_one_line_naming(const std::string& message, const std::string& file) {
    EXPECT_NE(message.find(fixtures + "/" + file), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(PluginLibrary, LoadsAWellFormedApp) {
    auto app = AppLibrary::load(fixtures + "/broken_none.so");
    EXPECT_STREQ(app->name, "broken");
}

TEST(PluginLibrary, AskedTheAppAboutItsAppConfig) {
    auto app = AppLibrary::load(fixtures + "/reply_v1.so");
    ASSERT_TRUE(HORNET_HAS(&app.descriptor(), hornet_app_t, check_config));
    HostServices fine(YAML::Load("{greeting: x}"), ProcessFacts{});
    EXPECT_EQ(check_app_config(app, fine.table()), "");
    HostServices bad(YAML::Load("{refuse: yes please}"), ProcessFacts{});
    EXPECT_EQ(check_app_config(app, bad.table()), "app_config.refuse is 'yes please'; remove it");
}

TEST(HostServices, ListsTheKeysOfAMapInFileOrder) {
    HostServices host(YAML::Load("{module: m, db: {port: 1, host: h}, pythonpath: [a, b]}"), ProcessFacts{});
    const hornet_host_t* t = host.table();
    ASSERT_TRUE(HORNET_HAS(t, hornet_host_t, config_key_at));
    auto keys = [&](const char* at) {
        std::vector<std::string> out;
        hornet_str_t k{};
        for (size_t i = 0; t->config_key_at(t, at, i, &k) == HORNET_OK; ++i) out.emplace_back(k.ptr, k.len);
        return out;
    };
    EXPECT_EQ(keys(""), (std::vector<std::string>{"module", "db", "pythonpath"}));
    EXPECT_EQ(keys("db"), (std::vector<std::string>{"port", "host"}));
    EXPECT_TRUE(keys("pythonpath").empty()); // a list has no keys
    EXPECT_TRUE(keys("nothing").empty());
    hornet_str_t v{};
    ASSERT_EQ(t->config_get(t, "pythonpath.1", &v), HORNET_OK); // ABI 1.2: list items by index
    EXPECT_EQ(std::string(v.ptr, v.len), "b");
    EXPECT_EQ(t->config_get(t, "pythonpath.2", &v), HORNET_ENOENT);
    EXPECT_EQ(t->config_get(t, "pythonpath", &v), HORNET_EINVAL);
}

TEST(PluginLibrary, AnAppWithoutCheckConfigIsNotAsked) {
    auto app = AppLibrary::load(fixtures + "/broken_none.so"); // no check_config: NULL
    HostServices bad(YAML::Load("{refuse: x}"), ProcessFacts{});
    EXPECT_EQ(check_app_config(app, bad.table()), "");
}

TEST(PluginLibrary, RefusesAFileThatIsNotASharedObject) {
    auto message = refusal("not_elf.so");
    expect_one_line_naming(message, "not_elf.so");
    EXPECT_NE(message.find("cannot load"), std::string::npos) << message;
}

TEST(PluginLibrary, RefusesAMissingEntrySymbol) {
    auto message = refusal("broken_no_entry.so");
    expect_one_line_naming(message, "broken_no_entry.so");
    EXPECT_NE(message.find("no hornet_app_entry symbol"), std::string::npos) << message;
}

TEST(PluginLibrary, RefusesABadMagic) {
    auto message = refusal("broken_magic.so");
    expect_one_line_naming(message, "broken_magic.so");
    EXPECT_NE(message.find("not a hornet plugin (bad magic 0xdeadbeef)"), std::string::npos) << message;
}

TEST(PluginLibrary, RefusesAnotherAbiMajor) {
    auto message = refusal("broken_major.so");
    expect_one_line_naming(message, "broken_major.so");
    const std::string minor = std::to_string(HORNET_ABI_MINOR); // broken_major.so keeps our minor
    EXPECT_NE(message.find("built for hornet ABI 2." + minor + ", this hornet speaks ABI 1." + minor), std::string::npos)
        << message;
    EXPECT_NE(message.find("rebuild it against hornet 1.x"), std::string::npos) << message;
}

TEST(PluginLibrary, RefusesANewerMinor) {
    auto message = refusal("broken_minor.so");
    expect_one_line_naming(message, "broken_minor.so");
    EXPECT_NE(message.find("newer than this hornet's ABI 1." + std::to_string(HORNET_ABI_MINOR)), std::string::npos)
        << message;
}

TEST(PluginLibrary, RefusesADescriptorSmallerThanAbi10) {
    auto message = refusal("broken_size.so");
    expect_one_line_naming(message, "broken_size.so");
    EXPECT_NE(message.find("smaller than ABI 1.0"), std::string::npos) << message;
}

TEST(PluginLibrary, RefusesADescriptorWithoutHandle) {
    auto message = refusal("broken_no_handle.so");
    expect_one_line_naming(message, "broken_no_handle.so");
    EXPECT_NE(message.find("has no handle"), std::string::npos) << message;
}

TEST(PluginLibrary, RefusesAnEntryThatReturnsNull) {
    auto message = refusal("broken_refuses.so");
    expect_one_line_naming(message, "broken_refuses.so");
    EXPECT_NE(message.find("refused this hornet"), std::string::npos) << message;
}

TEST(PluginLibrary, RefusesAWorkerTypeGivenAsAnApp) {
    try {
        AppLibrary::load(plugins + "/sync.so");
        FAIL() << "a worker type loaded as an app";
    } catch (const PluginError& e) {
        EXPECT_NE(std::string(e.what()).find("a worker type? give it with -k"), std::string::npos) << e.what();
    }
}

TEST(PluginFinder, FindsShortNamesInThePluginPathFirst) {
    PluginFinder finder({fixtures});
    EXPECT_EQ(finder.find("broken_none", "app"), fixtures + "/broken_none.so");
}

TEST(PluginFinder, NamesEveryFolderItSearched) {
    PluginFinder finder({fixtures});
    try {
        finder.find("nosuchapp", "app");
        FAIL() << "found a plugin that does not exist";
    } catch (const PluginError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("app 'nosuchapp': no nosuchapp.so"), std::string::npos) << message;
        EXPECT_NE(message.find(fixtures), std::string::npos) << message;
    }
}

TEST(PluginFinder, NamesAMissingPath) {
    PluginFinder finder({});
    try {
        finder.find("/nonexistent/x.so", "app");
        FAIL() << "found a file that does not exist";
    } catch (const PluginError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/x.so: no such file"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace hornet
