// Streaming UTF-8 validation (RFC 3629 §4's table): each lead byte fixes how
// many continuation bytes follow and the range of the first one, which is
// what rules out overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4)
// at the first byte that proves it.
#include "hornet/sdk/websocket/utf8.hpp"

#include <cstring>

namespace hornet::sdk::websocket {

namespace {

// Skip a run of ASCII 32, then 8 bytes at a time: most text is ASCII.
size_t ascii_prefix(const unsigned char* p, size_t n) {
    constexpr uint64_t high = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t v[4];
        std::memcpy(v, p + i, 32);
        if ((v[0] | v[1] | v[2] | v[3]) & high) break;
    }
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        std::memcpy(&v, p + i, 8);
        if (v & high) break;
    }
    while (i < n && p[i] < 0x80) ++i;
    return i;
}

} // namespace

bool Utf8Validator::feed(std::string_view bytes) {
    if (failed_) return false;
    auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t n = bytes.size();
    size_t i = 0;
    while (i < n) {
        if (need_ == 0) {
            i += ascii_prefix(p + i, n - i);
            if (i == n) break;
            unsigned char c = p[i++];
            lower_ = 0x80;
            upper_ = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) need_ = 1;
            else if (c == 0xE0) { need_ = 2; lower_ = 0xA0; }
            else if (c == 0xED) { need_ = 2; upper_ = 0x9F; }
            else if (c >= 0xE1 && c <= 0xEF) need_ = 2;
            else if (c == 0xF0) { need_ = 3; lower_ = 0x90; }
            else if (c >= 0xF1 && c <= 0xF3) need_ = 3;
            else if (c == 0xF4) { need_ = 3; upper_ = 0x8F; }
            else return failed_ = true, false;
            continue;
        }
        unsigned char c = p[i++];
        if (c < lower_ || c > upper_) return failed_ = true, false;
        lower_ = 0x80;
        upper_ = 0xBF;
        --need_;
    }
    return true;
}

bool is_valid_utf8(std::string_view bytes) {
    Utf8Validator v;
    return v.feed(bytes) && v.complete();
}

} // namespace hornet::sdk::websocket
