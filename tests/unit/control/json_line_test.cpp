// Reply lines: whatever bytes a value holds, the line is one line of valid JSON.
#include "control/json_line.hpp"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>

namespace hornet {
namespace {

namespace json = boost::json;

TEST(JsonLine, ClientBytesCannotEndTheLine) {
    json::object o{{"path", "/a\nb\"c\xff"}};
    const std::string line = to_json_line(o);
    EXPECT_EQ(line, R"({"path":"/a\u000ab\"c\ufffd"})");
    std::string why;
    auto back = parse_json_line(line, why);
    ASSERT_TRUE(back) << why;
    EXPECT_EQ(back->at("path").as_string(), "/a\nb\"c\xEF\xBF\xBD");
}

TEST(JsonLine, EveryKind) {
    json::object o{{"i", -3},
                   {"u", std::uint64_t{18446744073709551615ULL}},
                   {"b", true},
                   {"n", nullptr},
                   {"a", json::array{1, "x"}},
                   {"o", json::object{{"k", false}}}};
    EXPECT_EQ(to_json_line(o), R"({"i":-3,"u":18446744073709551615,"b":true,"n":null,"a":[1,"x"],"o":{"k":false}})");
}

TEST(JsonLine, ABadLineSaysWhy) {
    std::string why;
    EXPECT_FALSE(parse_json_line("{\"a\":", why));
    EXPECT_FALSE(why.empty());
}

} // namespace
} // namespace hornet
