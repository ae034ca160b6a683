// tests/unit/sdk/conformance_table_test.cpp: the raw-request table of
// tests/integration/conformance_requests.txt against the request parser
// alone (head, then the whole body), byte for byte and also fed one byte at
// a time, which is how a slow client delivers it.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "hornet/sdk/request_parser.hpp"

using namespace hornet::sdk;

namespace {

struct Case {
    int line = 0;
    std::string klass;
    int expect = 0;
    std::string bytes;
};

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    return (c | 0x20) - 'a' + 10;
}

std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        if (c == 'r') out += '\r';
        else if (c == 'n') out += '\n';
        else if (c == 't') out += '\t';
        else if (c == '0') out += '\0';
        else if (c == 'x' && i + 2 < s.size()) {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else out += c;
    }
    return out;
}

std::vector<Case> load_cases() {
    std::ifstream in(HORNET_CONFORMANCE_CASES);
    std::vector<Case> cases;
    std::string line, klass = "?";
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.rfind("# class: ", 0) == 0) klass = line.substr(9);
        if (line.empty() || line[0] == '#') continue;
        const size_t tab = line.find('\t');
        if (tab == std::string::npos) continue;
        cases.push_back({n, klass, std::stoi(line.substr(0, tab)), unescape(line.substr(tab + 1))});
    }
    return cases;
}

// The status the parser gives `bytes` (fed `step` bytes at a time): an
// error's, 200 when the request and its body parse and use every byte, 0
// when it never completes.
int outcome(const std::string& bytes, size_t step) {
    RequestParser p;
    HeadResult head;
    size_t fed = 0;
    do {
        fed = std::min(bytes.size(), fed + step);
        head = p.parse_head({bytes.data(), fed});
    } while (head.status == ParseStatus::need_more && fed < bytes.size());
    if (head.status == ParseStatus::error) return head.http_status;
    if (head.status != ParseStatus::done) return 0;
    p.resolve(bytes.data());
    hornet_request_t request{};
    p.fill(request);
    std::string_view body = std::string_view(bytes).substr(head.consumed);
    char out[7];
    size_t arrived = std::min(body.size(), step); // of `body`: what a reader has buffered
    for (int guard = 0; guard < 100000; ++guard) {
        BodyResult r = p.parse_body(body.substr(0, arrived), {out, sizeof out});
        body.remove_prefix(r.consumed);
        arrived -= r.consumed;
        if (r.status == ParseStatus::error) return r.http_status;
        if (r.status == ParseStatus::done) return body.empty() ? 200 : 0;
        if (r.produced != 0) continue;
        if (arrived == body.size()) return 0; // wants more than there is
        arrived = std::min(body.size(), arrived + step);
    }
    return 0;
}

std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f && c != '\\') out += static_cast<char>(c);
        else if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n";
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

} // namespace

TEST(ConformanceTable, EveryCaseWholeAndByteByByte) {
    const std::vector<Case> cases = load_cases();
    ASSERT_GT(cases.size(), 100u) << "cannot read " << HORNET_CONFORMANCE_CASES;
    std::map<std::string, int> per_class;
    for (const Case& c : cases) {
        ++per_class[c.klass];
        EXPECT_EQ(outcome(c.bytes, c.bytes.size()), c.expect)
            << "line " << c.line << " [" << c.klass << "]: " << printable(c.bytes);
        EXPECT_EQ(outcome(c.bytes, 1), c.expect)
            << "line " << c.line << " [" << c.klass << "], byte by byte: " << printable(c.bytes);
    }
    for (const auto& [klass, n] : per_class) std::printf("  %-14s %d cases\n", klass.c_str(), n);
}
