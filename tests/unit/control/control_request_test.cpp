// Request lines: what is a request, and the one-line refusal of what is not.
#include "control/control_request.hpp"

#include <gtest/gtest.h>

namespace hornet {
namespace {

ControlRequest ok(std::string_view line) {
    auto parsed = parse_request(line);
    EXPECT_TRUE(std::holds_alternative<ControlRequest>(parsed)) << line;
    return std::holds_alternative<ControlRequest>(parsed) ? std::get<ControlRequest>(parsed) : ControlRequest{};
}

RequestError refused(std::string_view line) {
    auto parsed = parse_request(line);
    EXPECT_TRUE(std::holds_alternative<RequestError>(parsed)) << line;
    return std::holds_alternative<RequestError>(parsed) ? std::get<RequestError>(parsed) : RequestError{};
}

TEST(ControlRequest, ACommandAlone) {
    ControlRequest r = ok(R"({"command":"status"})");
    EXPECT_EQ(r.command, "status");
    EXPECT_TRUE(r.args.empty());
    EXPECT_TRUE(r.id.is_null());
}

TEST(ControlRequest, ArgsAndIdAreKept) {
    ControlRequest r = ok(R"({"id":"a-7","command":"scale","args":["3", 4]})");
    EXPECT_EQ(r.args, (std::vector<std::string>{"3", "4"}));
    EXPECT_EQ(r.id.as_string(), "a-7");
}

TEST(ControlRequest, NotJsonIsRefused) {
    RequestError e = refused("status");
    EXPECT_EQ(e.code, "bad_request");
    EXPECT_NE(e.message.find("not JSON"), std::string::npos) << e.message;
}

TEST(ControlRequest, InvalidUtf8IsRefused) { refused("{\"command\":\"st\xff\"}"); }

TEST(ControlRequest, OtherValuesThanAnObjectAreRefused) {
    EXPECT_NE(refused("[1,2]").message.find("not a JSON object"), std::string::npos);
    refused("42");
}

TEST(ControlRequest, TheIdComesBackWithTheRefusal) {
    RequestError e = refused(R"({"id":9,"args":[]})");
    EXPECT_EQ(e.id.as_int64(), 9);
    EXPECT_NE(e.message.find("no \"command\""), std::string::npos);
}

TEST(ControlRequest, BadArgsAreRefused) {
    refused(R"({"command":"scale","args":"3"})");
    refused(R"({"command":"scale","args":[{"n":3}]})");
    refused(R"({"command":"scale","args":[true]})");
}

TEST(ControlRequest, AMisspeltKeyIsRefusedNotIgnored) {
    EXPECT_NE(refused(R"({"command":"scale","arg":["3"]})").message.find("unknown key 'arg'"), std::string::npos);
}

} // namespace
} // namespace hornet
