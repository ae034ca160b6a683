// tests/unit/log/access_log_json_test.cpp: access_log_format: json
// (core/log/access_log_json.hpp): every field, hostile header values that try
// to end the line or add a key, nulls, and the field list's errors.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "log/access_log_format.hpp"
#include "sample_record.hpp"

namespace hornet {
namespace {

using test::s;

// The sample record, with this test's own request headers.
struct Record : test::SampleRecord {
    Record()
        : SampleRecord({{s("X-Request-Id"), s("abc-1")},
                        {s("X-Evil"), s("x\",\"status\":999,\"y\":\"\x01\xff\xfe\n")}}) {}
};

std::string format(std::string_view fmt, const hornet_access_record_t& r) {
    std::string line;
    AccessLogFormat(fmt).append(line, r);
    return line;
}

std::string error_of(std::string_view fmt) {
    try {
        AccessLogFormat compiled(fmt);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

} // namespace

TEST(JsonAccessLog, EveryField) {
    Record rec;
    const struct {
        const char* field;
        std::string want;
    } cases[] = {
        {"remote_addr", R"("10.0.0.7")"}, {"user", R"("alice")"}, {"request", R"("GET /p?q=1 HTTP/1.1")"},
        {"method", R"("GET")"},           {"path", R"("/p")"},    {"query", R"("q=1")"},
        {"protocol", R"("HTTP/1.1")"},    {"status", "200"},      {"bytes", "1234"},
        {"pid", std::to_string(::getpid())}, {"duration_us", "1500"}, {"duration_ms", "1"},
        {"duration_s", "0"},              {"request_time", "0.001500"}, {"referer", R"("http://ref/")"},
        {"user_agent", R"("agent \"x\"\\y")"}, {"header.x-request-id", R"("abc-1")"},
        {"header.absent", "null"},        {"response_header.content-type", R"("text/html")"},
        {"response_header.absent", "null"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(format(std::string("json:") + c.field, rec.record), "{\"" + std::string(c.field) + "\":" + c.want + "}");
    // Header names are matched case-blind and written lower-case.
    EXPECT_EQ(format("json:header.X-REQUEST-ID", rec.record), R"({"header.x-request-id":"abc-1"})");
}

TEST(JsonAccessLog, DefaultFieldsInOrder) {
    Record rec;
    const std::string line = format("json", rec.record);
    const std::string time = line.substr(8, 34);
    EXPECT_EQ(line, "{\"time\":" + time +
                        R"(,"remote_addr":"10.0.0.7","user":"alice","request":"GET /p?q=1 HTTP/1.1","method":"GET",)"
                        R"("path":"/p","query":"q=1","protocol":"HTTP/1.1","status":200,"bytes":1234,)"
                        R"("duration_us":1500,"referer":"http://ref/","user_agent":"agent \"x\"\\y"})");
    EXPECT_EQ(format("JSON", rec.record), line) << "the keyword is case-blind";
}

TEST(JsonAccessLog, AHostileHeaderAddsNoKeyAndNoLine) {
    Record rec;
    EXPECT_EQ(format("json:header.x-evil,status", rec.record),
              R"({"header.x-evil":"x\",\"status\":999,\"y\":\"\u0001\ufffd\ufffd\u000a","status":200})");
}

TEST(JsonAccessLog, AbsentValuesAreNull) {
    Record rec;
    rec.record.request = nullptr; // a head that did not parse
    rec.record.request_line = s("GARBAGE \"\xff");
    rec.record.peer_host = s("");  // a unix socket
    EXPECT_EQ(format("json:remote_addr,user,request,method,path,query,protocol,referer,header.x-request-id,status",
                     rec.record),
              R"({"remote_addr":null,"user":null,"request":"GARBAGE \"\ufffd","method":null,"path":null,)"
              R"("query":null,"protocol":null,"referer":null,"header.x-request-id":null,"status":200})");
    Record none;
    none.request.query = s("");
    EXPECT_EQ(format("json:query", none.record), R"({"query":""})") << "parsed, no query: an empty string";
}

TEST(JsonAccessLog, TlsFields) {
    Record rec;
    const char* fields = "json:https,ssl_protocol,ssl_cipher,ssl_client_s_dn,ssl_client_verify";
    EXPECT_EQ(format(fields, rec.record),
              R"({"https":null,"ssl_protocol":null,"ssl_cipher":null,"ssl_client_s_dn":null,"ssl_client_verify":null})");
    rec.request.head.struct_size = sizeof(hornet_request_t);
    rec.request.tls_protocol = s("TLSv1.2");
    rec.request.tls_cipher = s("ECDHE-ECDSA-AES128-GCM-SHA256");
    rec.request.tls_client_subject = s("CN=client one,O=hornet tests");
    EXPECT_EQ(format(fields, rec.record),
              R"({"https":"on","ssl_protocol":"TLSv1.2","ssl_cipher":"ECDHE-ECDSA-AES128-GCM-SHA256",)"
              R"("ssl_client_s_dn":"CN=client one,O=hornet tests","ssl_client_verify":"SUCCESS"})");
}

TEST(JsonAccessLog, SpacesAndEmptyPiecesInTheListAreSkipped) {
    Record rec;
    EXPECT_EQ(format("json: status , bytes,", rec.record), R"({"status":200,"bytes":1234})");
}

TEST(JsonAccessLog, BadFieldListsAreOneLineErrors) {
    EXPECT_EQ(error_of("json:stauts"),
              "unknown JSON field 'stauts'; did you mean 'status'? (fields: time remote_addr user request method "
              "path query protocol status bytes pid duration_us duration_ms duration_s request_time referer "
              "user_agent https ssl_protocol ssl_cipher ssl_client_s_dn ssl_client_verify header.NAME "
              "response_header.NAME)");
    EXPECT_NE(error_of("json:headers.x-request-id").find("did you mean 'header.x-request-id'?"), std::string::npos);
    EXPECT_NE(error_of("json:status,bytes,status").find("'status' is listed twice"), std::string::npos);
    EXPECT_NE(error_of("json:header.X-A,header.x-a").find("'header.x-a' is listed twice"), std::string::npos);
    EXPECT_NE(error_of("json:").find("lists no field"), std::string::npos);
    EXPECT_NE(error_of("json: , ").find("lists no field"), std::string::npos);
    EXPECT_NE(error_of("json:header.").find("needs a header name"), std::string::npos);
    EXPECT_NE(error_of("json:header.a\"b").find("needs a header name"), std::string::npos);
    EXPECT_NE(error_of("json:bogus").find("unknown JSON field 'bogus' (fields:"), std::string::npos);
    for (const char* bad : {"json:stauts", "json:", "json:header."})
        EXPECT_EQ(error_of(bad).find('\n'), std::string::npos) << bad;
}

TEST(JsonAccessLog, TextFormatsAreNotJson) {
    Record rec;
    EXPECT_EQ(format("json", rec.record).front(), '{');
    EXPECT_EQ(format("jsonx %(s)s", rec.record), "jsonx 200");
    EXPECT_EQ(format("%(s)s json:", rec.record), "200 json:");
}

} // namespace hornet
