// tests/unit/log/json_text_test.cpp: the JSON string encoder of the logs
// (core/log/json_text.hpp) against hostile bytes: quotes, backslashes,
// control bytes, ill-formed UTF-8 (expected values are Python's
// bytes.decode("utf-8", "replace")), and random bytes that must always give
// one well-formed string on one line.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "log/json_text.hpp"

namespace hornet {
namespace {

std::string json(std::string_view bytes) {
    std::string out;
    append_json_string(out, bytes);
    return out;
}

// A strict decoder for one JSON string at the start of `text` (RFC 8259
// grammar; \u escapes of the BMP only, which is all the encoder writes).
// Returns the decoded UTF-8 and sets `used` to the bytes consumed; throws
// on anything a parser would reject.
std::string decode(std::string_view text, size_t& used) {
    if (text.empty() || text[0] != '"') throw std::runtime_error("no opening quote");
    std::string out;
    for (size_t i = 1; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u == '"') {
            used = i + 1;
            return out;
        }
        if (u < 0x20) throw std::runtime_error("raw control byte");
        if (u != '\\') {
            out += text[i];
            continue;
        }
        if (++i == text.size()) throw std::runtime_error("dangling backslash");
        const char e = text[i];
        if (e == '"' || e == '\\' || e == '/') out += e;
        else if (e == 'n') out += '\n';
        else if (e == 't') out += '\t';
        else if (e == 'r') out += '\r';
        else if (e == 'b') out += '\b';
        else if (e == 'f') out += '\f';
        else if (e == 'u' && i + 4 < text.size()) {
            const unsigned cp = std::stoul(std::string(text.substr(i + 1, 4)), nullptr, 16);
            i += 4;
            if (cp < 0x80) out += static_cast<char>(cp);
            else if (cp < 0x800) {
                out += static_cast<char>(0xc0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3f));
            } else {
                out += static_cast<char>(0xe0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                out += static_cast<char>(0x80 | (cp & 0x3f));
            }
        } else throw std::runtime_error("bad escape");
    }
    throw std::runtime_error("no closing quote");
}

// Is every byte of s part of a well-formed UTF-8 sequence (Table 3-7)?
bool well_formed_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
        const unsigned c = b(0);
        const auto cont = [&](size_t k) { return b(k) >= 0x80 && b(k) <= 0xbf; };
        if (c < 0x80) i += 1;
        else if (c >= 0xc2 && c <= 0xdf && cont(1)) i += 2;
        else if (c == 0xe0 && b(1) >= 0xa0 && b(1) <= 0xbf && cont(2)) i += 3;
        else if (((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) && cont(1) && cont(2)) i += 3;
        else if (c == 0xed && b(1) >= 0x80 && b(1) <= 0x9f && cont(2)) i += 3;
        else if (c == 0xf0 && b(1) >= 0x90 && b(1) <= 0xbf && cont(2) && cont(3)) i += 4;
        else if (c >= 0xf1 && c <= 0xf3 && cont(1) && cont(2) && cont(3)) i += 4;
        else if (c == 0xf4 && b(1) >= 0x80 && b(1) <= 0x8f && cont(2) && cont(3)) i += 4;
        else return false;
    }
    return true;
}

} // namespace

TEST(JsonText, QuotesBackslashesAndControlBytesAreEscaped) {
    EXPECT_EQ(json(""), R"("")");
    EXPECT_EQ(json("plain /path?a=1"), R"("plain /path?a=1")");
    EXPECT_EQ(json("a\"b"), R"("a\"b")");
    EXPECT_EQ(json("a\\b"), R"("a\\b")");
    EXPECT_EQ(json("\\\""), R"("\\\"")");
    EXPECT_EQ(json("\x01\x1f\x7f"), R"("\u0001\u001f\u007f")");
    EXPECT_EQ(json("line\nbreak\r\n\ttab"), R"("line\u000abreak\u000d\u000a\u0009tab")");
    EXPECT_EQ(json(std::string_view("nul\0byte", 8)), R"("nul\u0000byte")");
    EXPECT_EQ(json("</script>"), R"("</script>")");
}

TEST(JsonText, AForgedKeyStaysInsideTheString) {
    const std::string hostile = R"(x","status":999,"y":")";
    EXPECT_EQ(json(hostile), R"("x\",\"status\":999,\"y\":\"")");
    size_t used = 0;
    EXPECT_EQ(decode(json(hostile), used), hostile);
    EXPECT_EQ(used, json(hostile).size());
    // A trailing backslash cannot escape the closing quote.
    EXPECT_EQ(json("end\\"), R"("end\\")");
}

TEST(JsonText, IllFormedUtf8BecomesOneReplacementPerMaximalSubpart) {
    const struct {
        std::string_view in, want;
    } cases[] = {
        {"\xff\xfe", R"("\ufffd\ufffd")"},
        {"\xc0\xaf", R"("\ufffd\ufffd")"},               // overlong '/'
        {"\xe0\x80\xaf", R"("\ufffd\ufffd\ufffd")"},     // overlong, 3 bytes
        {"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},     // a surrogate
        {"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"}, // above U+10FFFF
        {"\xe2\x82", R"("\ufffd")"},                     // truncated at the end
        {"a\xf0\x9f\x90" "b", R"("a\ufffdb")"},          // truncated in the middle
        {"\xc2", R"("\ufffd")"},
        {"\x80\x80", R"("\ufffd\ufffd")"},               // lone continuation bytes
        {"\xf8\x88\x80\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd\ufffd")"},
        {"\xe1\x80\xe2\xf0\x91\x92\xf1\xbf\x41", R"("\ufffd\ufffd\ufffd\ufffdA")"},
        {"\"\xff\"", R"("\"\ufffd\"")"},
    };
    for (const auto& c : cases) EXPECT_EQ(json(c.in), c.want) << testing::PrintToString(std::string(c.in));
}

TEST(JsonText, WellFormedUtf8PassesAsIs) {
    for (std::string_view s : {"\xc3\xa9", "\xf0\x9f\x90\x9d", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf", "\xe2\x82\xac"}) {
        std::string want = "\""; // (not "\"" + ... + "\"": g++ 12 -Wrestrict misfires on that)
        want.append(s).append("\"");
        EXPECT_EQ(json(s), want);
    }
    // Line and paragraph separators end a line to JavaScript: escaped.
    EXPECT_EQ(json("a\xe2\x80\xa8" "b\xe2\x80\xa9"), R"("a\u2028b\u2029")");
}

TEST(JsonText, RandomBytesGiveOneValidStringOnOneLine) {
    std::mt19937 rng(20261127);
    std::uniform_int_distribution<int> len(0, 40), byte(0, 255), pick(0, 9);
    const char favourites[] = {'"', '\\', '\n', '\r', '\0', '\x01', '\xff', '\xe2', '\x80', '\xc3'};
    for (int round = 0; round < 20000; ++round) {
        std::string in;
        for (int n = len(rng); n > 0; --n)
            in += pick(rng) < 4 ? favourites[byte(rng) % sizeof favourites] : static_cast<char>(byte(rng));
        const std::string out = json(in);
        ASSERT_EQ(out.find_first_of(std::string_view("\n\r\0", 3)), std::string::npos) << out;
        ASSERT_TRUE(well_formed_utf8(out)) << out;
        size_t used = 0;
        std::string back;
        ASSERT_NO_THROW(back = decode(out, used)) << out;
        ASSERT_EQ(used, out.size()) << "the string ends before its last quote: " << out;
        if (well_formed_utf8(in)) {
            ASSERT_EQ(back, in);
        }
    }
}

TEST(JsonText, TimeIsRfc3339WithMicroseconds) {
    std::string out;
    append_json_time(out, 1795743600LL * 1000000 + 42);
    // "2026-11-27T10:00:00.000042+00:00" in whatever zone the test runs.
    ASSERT_EQ(out.size(), 34u) << out;
    EXPECT_EQ(out.front(), '"');
    EXPECT_EQ(out.back(), '"');
    EXPECT_EQ(out.substr(11, 1), "T");
    EXPECT_EQ(out.substr(20, 7), ".000042");
    EXPECT_EQ(out[30], ':');
}

} // namespace hornet
