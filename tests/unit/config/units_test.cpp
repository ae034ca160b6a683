// Durations, sizes and bounded integers (core/config/units.cpp).
#include <gtest/gtest.h>

#include <limits>

#include "config/config_error.hpp"
#include "config/units.hpp"

namespace hornet {
namespace {

using namespace std::chrono_literals;

TEST(Units, DurationsWithUnits) {
    EXPECT_EQ(parse_duration("30s"), 30s);
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("2m"), 2min);
    EXPECT_EQ(parse_duration("1h"), 1h);
    EXPECT_EQ(parse_duration(" 5 s "), 5s);
}

TEST(Units, BareDurationIsSeconds) {
    EXPECT_EQ(parse_duration("30"), 30s);
    EXPECT_EQ(parse_duration("0"), 0ms);
}

TEST(Units, BadDurations) {
    EXPECT_THROW(parse_duration("5x"), ValueError);
    EXPECT_THROW(parse_duration("s"), ValueError);
    EXPECT_THROW(parse_duration("-1s"), ValueError);
    EXPECT_THROW(parse_duration("1.5s"), ValueError);
    EXPECT_THROW(parse_duration("5M"), ValueError); // case matters: m is minutes
    EXPECT_THROW(parse_duration("99999999999999999999h"), ValueError);
    try {
        parse_duration("5sec");
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "unknown duration unit 'sec' in '5sec'; use ms, s, m or h (a bare number is seconds)");
    }
}

TEST(Units, FormatDurationPicksLargestExactUnit) {
    EXPECT_EQ(format_duration(30s), "30s");
    EXPECT_EQ(format_duration(500ms), "500ms");
    EXPECT_EQ(format_duration(1500ms), "1500ms");
    EXPECT_EQ(format_duration(120s), "2m");
    EXPECT_EQ(format_duration(90s), "90s");
    EXPECT_EQ(format_duration(2h), "2h");
    EXPECT_EQ(format_duration(0s), "0s");
}

TEST(Units, Sizes) {
    EXPECT_EQ(parse_size("64KiB"), 64u * 1024);
    EXPECT_EQ(parse_size("1MiB"), 1024u * 1024);
    EXPECT_EQ(parse_size("1GiB"), 1ull << 30);
    EXPECT_EQ(parse_size("10KB"), 10000u);
    EXPECT_EQ(parse_size("10kb"), 10000u);
    EXPECT_EQ(parse_size("123"), 123u);
    EXPECT_EQ(parse_size("123B"), 123u);
}

TEST(Units, BadSizes) {
    EXPECT_THROW(parse_size("10QB"), ValueError);
    EXPECT_THROW(parse_size("KiB"), ValueError);
    EXPECT_THROW(parse_size("1.5MiB"), ValueError);
    EXPECT_THROW(parse_size("99999999999TiB"), ValueError);
    try {
        parse_size("64K");
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown size unit 'K' in '64K'"), std::string::npos) << e.what();
    }
}

TEST(Units, FormatSize) {
    EXPECT_EQ(format_size(1ull << 30), "1GiB");
    EXPECT_EQ(format_size(64 * 1024), "64KiB");
    EXPECT_EQ(format_size(10000), "10KB");
    EXPECT_EQ(format_size(4094), "4094");
    EXPECT_EQ(format_size(0), "0");
    for (std::uint64_t v : {1ull, 4094ull, 8190ull, 1536ull, 1ull << 40, 3000000ull})
        EXPECT_EQ(parse_size(format_size(v)), v) << v;
}

TEST(Units, BoundedIntegers) {
    EXPECT_EQ(parse_uint("4", 1, 1024), 4u);
    EXPECT_EQ(parse_uint("1024", 1, 1024), 1024u);
    EXPECT_THROW(parse_uint("0", 1, 1024), ValueError);
    EXPECT_THROW(parse_uint("1025", 1, 1024), ValueError);
    EXPECT_THROW(parse_uint("-1", 0, 10), ValueError);
    EXPECT_THROW(parse_uint("", 0, 10), ValueError);
    EXPECT_THROW(parse_uint("0x10", 0, 100), ValueError);
    EXPECT_THROW(parse_uint("99999999999999999999999", 0, std::numeric_limits<std::uint64_t>::max()), ValueError);
    try {
        parse_uint("many", 1, 1024);
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "expected an integer from 1 to 1024, got 'many'");
    }
}

} // namespace
} // namespace hornet
