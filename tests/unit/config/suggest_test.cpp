// "Did you mean" suggestions (core/config/suggest.cpp).
#include <gtest/gtest.h>

#include <array>

#include "config/suggest.hpp"

namespace hornet {
namespace {

constexpr std::array<std::string_view, 5> kWords{"workers", "worker_class", "keep_alive", "keepalive", "timeout"};

TEST(Suggest, EditDistance) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("workrs", "workers"), 1u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("Workers", "workers"), 0u);
}

TEST(Suggest, ClosestWithinThreshold) {
    EXPECT_EQ(closest_match("workrs", kWords), "workers");
    EXPECT_EQ(closest_match("timout", kWords), "timeout");
    EXPECT_EQ(closest_match("keep-alive", kWords), "keep_alive");
    EXPECT_EQ(closest_match("banana", kWords), "");
}

TEST(Suggest, PrefixCounts) {
    constexpr std::array<std::string_view, 2> levels{"warning", "error"};
    EXPECT_EQ(closest_match("warn", levels), "warning");
}

TEST(Suggest, Phrase) {
    EXPECT_EQ(did_you_mean("workrs", kWords), "; did you mean 'workers'?");
    EXPECT_EQ(did_you_mean("zzzzzzzz", kWords), "");
}

} // namespace
} // namespace hornet
