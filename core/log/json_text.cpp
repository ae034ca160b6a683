// JSON strings from arbitrary bytes (RFC 8259; UTF-8 checked per Unicode
// Table 3-7) and RFC 3339 timestamps.
#include "log/json_text.hpp"

#include <cstdio>
#include <ctime>

namespace hornet {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Bytes that go out as they are: printable ASCII but '"' and '\\'.
constexpr bool plain(unsigned char u) { return u >= 0x20 && u < 0x7f && u != '"' && u != '\\'; }

void append_u_escape(std::string& out, unsigned code) {
    const char esc[] = {'\\', 'u', kHex[(code >> 12) & 15], kHex[(code >> 8) & 15], kHex[(code >> 4) & 15],
                        kHex[code & 15]};
    out.append(esc, sizeof esc);
}

// The allowed range of the second byte after lead byte `lead` (Table 3-7);
// later continuation bytes are always 80..BF.
struct Second {
    unsigned char lo, hi;
};
Second second_range(unsigned char lead) {
    switch (lead) {
    case 0xe0: return {0xa0, 0xbf}; // no overlong 3-byte forms
    case 0xed: return {0x80, 0x9f}; // no surrogates
    case 0xf0: return {0x90, 0xbf}; // no overlong 4-byte forms
    case 0xf4: return {0x80, 0x8f}; // nothing above U+10FFFF
    default: return {0x80, 0xbf};
    }
}

// The length of the sequence `lead` starts, 0 for a byte that starts none.
size_t sequence_length(unsigned char lead) {
    if (lead >= 0xc2 && lead <= 0xdf) return 2;
    if (lead >= 0xe0 && lead <= 0xef) return 3;
    if (lead >= 0xf0 && lead <= 0xf4) return 4;
    return 0;
}

// How many bytes from s[i] form one well-formed sequence (n > 0, returned as
// is) or, when ill-formed, its maximal subpart (returned as -length).
long measure(std::string_view s, size_t i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const size_t n = sequence_length(lead);
    if (n == 0) return -1;
    const Second second = second_range(lead);
    for (size_t k = 1; k < n; ++k) {
        if (i + k >= s.size()) return -static_cast<long>(k);
        const auto u = static_cast<unsigned char>(s[i + k]);
        const bool ok = k == 1 ? (u >= second.lo && u <= second.hi) : (u >= 0x80 && u <= 0xbf);
        if (!ok) return -static_cast<long>(k);
    }
    return static_cast<long>(n);
}

// s[i] is not plain: appends its escape or sequence, returns the bytes used.
size_t append_special(std::string& out, std::string_view s, size_t i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u == '"' || u == '\\') {
        out += '\\';
        out += static_cast<char>(u);
        return 1;
    }
    if (u < 0x80) { // control bytes and DEL
        append_u_escape(out, u);
        return 1;
    }
    const long n = measure(s, i);
    if (n < 0) {
        append_u_escape(out, 0xfffd);
        return static_cast<size_t>(-n);
    }
    if (n == 3 && u == 0xe2 && s[i + 1] == '\x80' && (s[i + 2] == '\xa8' || s[i + 2] == '\xa9')) {
        append_u_escape(out, s[i + 2] == '\xa8' ? 0x2028 : 0x2029);
        return 3;
    }
    out.append(s.substr(i, static_cast<size_t>(n)));
    return static_cast<size_t>(n);
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    size_t i = 0;
    while (i < s.size()) {
        size_t run = i;
        while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
        out.append(s.data() + i, run - i);
        if (run == s.size()) break;
        i = run + append_special(out, s, run);
    }
    out += '"';
}

void append_json_time(std::string& out, std::int64_t unix_us) {
    std::int64_t secs = unix_us / 1000000, micros = unix_us % 1000000;
    if (micros < 0) {
        micros += 1000000;
        --secs;
    }
    const auto t = static_cast<time_t>(secs);
    tm local{};
    ::localtime_r(&t, &local);
    char date[32], zone[8];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &local);
    std::strftime(zone, sizeof zone, "%z", &local); // +0100
    char buf[96];
    const int n = std::snprintf(buf, sizeof buf, "\"%s.%06lld%.3s:%.2s\"", date, static_cast<long long>(micros),
                                zone, zone + 3);
    out.append(buf, static_cast<size_t>(n));
}

} // namespace hornet
