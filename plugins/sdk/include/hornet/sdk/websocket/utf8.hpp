// hornet/sdk/websocket/utf8.hpp: streaming UTF-8 validation for text messages
// and close reasons (RFC 3629, as RFC 6455 §8.1 requires).
//
// Fed piece by piece (a code point may be split across frames or reads), it
// fails at the first byte that makes the input certainly invalid, not at the
// end (Autobahn 6.4.x): overlongs, surrogates, code points past U+10FFFF and
// stray continuation bytes are refused. One per message; not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace hornet::sdk::websocket {

class Utf8Validator {
public:
    // false as soon as the bytes so far cannot start valid UTF-8; stays
    // false until reset().
    bool feed(std::string_view bytes);
    // The input so far is valid and ends on a code point boundary.
    bool complete() const { return !failed_ && need_ == 0; }
    bool failed() const { return failed_; }
    void reset() { need_ = 0; lower_ = 0x80; upper_ = 0xBF; failed_ = false; }

private:
    uint8_t need_ = 0;     // continuation bytes still expected
    uint8_t lower_ = 0x80; // allowed range of the next continuation byte
    uint8_t upper_ = 0xBF;
    bool failed_ = false;
};

// The whole of `bytes` is valid UTF-8.
bool is_valid_utf8(std::string_view bytes);

} // namespace hornet::sdk::websocket
