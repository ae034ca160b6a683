// This hornet (ABI 1.0 as compiled, the real loader) and a plugin built
// against a newer minor (the grown headers): a plugin that describes itself
// as newer is refused with one line saying what to do; one that adapts to
// the host's minor in its entry loads.
#include <gtest/gtest.h>

#include <string>

#include "plugin/plugin_error.hpp"
#include "plugin/plugin_library.hpp"

namespace hornet {
namespace {

std::string refusal(const std::string& path) {
    try {
        AppLibrary::load(path);
    } catch (const PluginError& e) {
        return e.what();
    }
    return "loaded";
}

TEST(NewerPlugin, IsRefusedWithOneLineNamingBothVersionsAndTheFix) {
    const std::string path = HORNET_TEST_ABI_NEWER_PLUGIN;
    const std::string newer = std::to_string(HORNET_ABI_MAJOR) + "." + std::to_string(HORNET_ABI_MINOR + 1);
    const std::string ours = std::to_string(HORNET_ABI_MAJOR) + "." + std::to_string(HORNET_ABI_MINOR);
    EXPECT_EQ(refusal(path), path + ": built for hornet ABI " + newer + ", newer than this hornet's ABI " + ours +
                                 "; upgrade hornet or rebuild the plugin against this one");
}

TEST(NewerPlugin, ThatAdaptsToTheHostMinorLoads) {
    auto app = AppLibrary::load(HORNET_TEST_ABI_ADAPTING_PLUGIN);
    EXPECT_EQ(app->head.abi_minor, HORNET_ABI_MINOR);
    EXPECT_GT(app->head.struct_size, offsetof(hornet_app_t, handle) + sizeof(void*)); // the grown struct
    EXPECT_STREQ(app->name, "old");
}

} // namespace
} // namespace hornet
