// The app counter table: names, sharing by name, bounds.
#include "metrics/app_counters.hpp"

#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

namespace hornet::metrics {
namespace {

TEST(AppCounters, OneNameIsOneCounter) {
    auto table = std::make_unique<AppCounters>();
    const int a = table->find_or_add("jobs_done", "Jobs");
    EXPECT_GE(a, 0);
    EXPECT_EQ(table->find_or_add("jobs_done", "other help"), a);
    const int b = table->find_or_add("emails", "");
    EXPECT_NE(a, b);
    table->add(a, 3);
    table->add(a, 2);
    table->add(99, 1); // unknown: ignored
    std::vector<std::tuple<std::string, std::uint64_t, std::string>> seen;
    table->for_each([&](const AppCounters::View& v) { seen.emplace_back(v.name, v.value, v.help); });
    using Row = std::tuple<std::string, std::uint64_t, std::string>;
    EXPECT_EQ(seen, (std::vector<Row>{{"jobs_done", 5, "Jobs"}, {"emails", 0, ""}}));
}

TEST(AppCounters, RefusesBadNamesAndAFullTable) {
    auto table = std::make_unique<AppCounters>();
    EXPECT_EQ(table->find_or_add("", ""), HORNET_EINVAL);
    EXPECT_EQ(table->find_or_add("9lives", ""), HORNET_EINVAL);
    EXPECT_EQ(table->find_or_add("a-b", ""), HORNET_EINVAL);
    EXPECT_EQ(table->find_or_add(std::string(AppCounters::kNameBytes + 1, 'a'), ""), HORNET_EINVAL);
    for (std::size_t i = 0; i < AppCounters::kCounters; ++i) {
        std::string name = "c";
        name += std::to_string(i);
        EXPECT_GE(table->find_or_add(name, ""), 0);
    }
    EXPECT_EQ(table->find_or_add("one_more", ""), HORNET_ENOMEM);
    EXPECT_GE(table->find_or_add("c7", ""), 0) << "an existing name is still found";
}

TEST(AppCounters, ThreadsRacingForOneNameGetOneCounter) {
    auto table = std::make_unique<AppCounters>();
    std::vector<int> ids(8, -100);
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            ids[i] = table->find_or_add("shared", "");
            for (int n = 0; n < 1000; ++n) table->add(ids[i], 1);
        });
    for (auto& t : threads) t.join();
    for (int id : ids) EXPECT_EQ(id, ids[0]);
    std::uint64_t value = 0;
    table->for_each([&](const AppCounters::View& v) { value += v.value; });
    EXPECT_EQ(value, 8000u);
}

} // namespace
} // namespace hornet::metrics
