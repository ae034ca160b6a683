// hornet/sdk/websocket/deflate.hpp: permessage-deflate's compressor and
// decompressor (RFC 7692 §7.2) on zlib's raw deflate.
//
// The compressor ends each message with a sync flush and removes the
// 00 00 ff ff tail; the decompressor appends it back and inflates into a
// string, never past a limit (a deflate bomb stops there: the session closes
// with 1009). zlib's state (about 260 KiB for a 15-bit compressor, 40 KiB
// for a decompressor) is allocated on first use; without context takeover
// it is reset after each message and may be freed with release() when the
// connection goes idle (Session::shrink does), so an idle connection holds
// none. zlib stays in the .cpp.
// One of each per connection; not thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace hornet::sdk::websocket {

class Compressor {
public:
    Compressor(int window_bits, int level, bool no_context_takeover);
    ~Compressor();
    Compressor(Compressor&&) noexcept;
    Compressor& operator=(Compressor&&) noexcept;

    // Appends the compressed form of `data` to `out`. `fin`: this is the
    // message's last piece (the tail is removed, and without context
    // takeover the stream is reset and freed). false only if zlib fails.
    bool compress(std::string_view data, bool fin, std::string& out);
    // Drop zlib's memory now (the next message starts a fresh context).
    void release();
    bool holds_memory() const;
    size_t memory_used() const; // zlib's bytes, 0 when released

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int window_bits_;
    int level_;
    bool no_context_takeover_;
};

enum class InflateResult { ok, too_big, corrupt };

class Decompressor {
public:
    Decompressor(int window_bits, bool no_context_takeover);
    ~Decompressor();
    Decompressor(Decompressor&&) noexcept;
    Decompressor& operator=(Decompressor&&) noexcept;

    // Inflates `data` (a piece of a compressed message) and appends it to
    // `out`; `fin` adds the 00 00 ff ff tail and ends the message. too_big
    // as soon as `out` would pass `limit` bytes: nothing past the limit is
    // ever allocated.
    InflateResult decompress(std::string_view data, bool fin, std::string& out, size_t limit);
    void release();
    bool holds_memory() const;
    size_t memory_used() const; // zlib's bytes, 0 when released

private:
    InflateResult inflate_piece(std::string_view data, std::string& out, size_t limit);
    InflateResult probe_past_limit();
    void end_message();

    struct Impl;
    std::unique_ptr<Impl> impl_;
    int window_bits_;
    bool no_context_takeover_;
};

} // namespace hornet::sdk::websocket
