// permessage-deflate on zlib's raw deflate (RFC 7692 §7.2). zlib's memory is
// counted through its allocator hooks so a session can report it, and the
// streams are created on first use: a session that never sends or never
// receives a compressed message never pays for that side.
#include "hornet/sdk/websocket/deflate.hpp"

#include <zlib.h>

#include "buffer_growth.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace hornet::sdk::websocket {

namespace {

constexpr char deflate_tail[4] = {0x00, 0x00, char(0xff), char(0xff)};
constexpr int mem_level = 8; // zlib's default: fast; 128 KiB of state at 15 bits

// zlib allocator hooks that count the bytes held in *opaque.
voidpf counted_alloc(voidpf opaque, uInt items, uInt size) {
    size_t bytes = size_t{items} * size;
    auto* block = static_cast<size_t*>(std::malloc(bytes + sizeof(size_t) * 2));
    if (!block) return nullptr;
    block[0] = bytes;
    *static_cast<size_t*>(opaque) += bytes;
    return block + 2; // two size_t keep zlib's 16-byte alignment
}

void counted_free(voidpf opaque, voidpf address) {
    if (!address) return;
    auto* block = static_cast<size_t*>(address) - 2;
    *static_cast<size_t*>(opaque) -= block[0];
    std::free(block);
}

void prepare_stream(z_stream& zs, size_t* counter) {
    std::memset(&zs, 0, sizeof zs);
    zs.zalloc = counted_alloc;
    zs.zfree = counted_free;
    zs.opaque = counter;
}

// Growth step for an output string: about what came in, within bounds.
size_t grow_step(size_t have, size_t input) {
    return std::clamp<size_t>(std::max(have, input * 2), 1024, size_t{1} << 20);
}

} // namespace

struct Compressor::Impl {
    z_stream zs;
    size_t held = 0;
    ~Impl() { deflateEnd(&zs); }
};

struct Decompressor::Impl {
    z_stream zs;
    size_t held = 0;
    bool ended = false; // a final block ended this message's data early
    ~Impl() { inflateEnd(&zs); }
};

Compressor::Compressor(int window_bits, int level, bool no_context_takeover)
    : window_bits_(window_bits), level_(level), no_context_takeover_(no_context_takeover) {}
Compressor::~Compressor() = default;
Compressor::Compressor(Compressor&&) noexcept = default;
Compressor& Compressor::operator=(Compressor&&) noexcept = default;

bool Compressor::compress(std::string_view data, bool fin, std::string& out) {
    if (!impl_) {
        auto impl = std::make_unique<Impl>();
        prepare_stream(impl->zs, &impl->held);
        if (deflateInit2(&impl->zs, level_, Z_DEFLATED, -window_bits_, mem_level, Z_DEFAULT_STRATEGY) != Z_OK)
            return false;
        impl_ = std::move(impl);
    }
    z_stream& zs = impl_->zs;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    size_t start = out.size();
    for (;;) {
        size_t old = out.size();
        size_t room = deflateBound(&zs, zs.avail_in) + 16;
        out.resize(old + room);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + old);
        zs.avail_out = static_cast<uInt>(room);
        int rc = deflate(&zs, Z_SYNC_FLUSH);
        out.resize(old + room - zs.avail_out);
        if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
        if (zs.avail_out != 0) break; // everything is flushed
    }
    if (fin) {
        // §7.2.1: drop the sync flush's empty block tail (if this call made one).
        size_t made = out.size() - start;
        if (made >= 4 && std::memcmp(out.data() + out.size() - 4, deflate_tail, 4) == 0)
            out.resize(out.size() - 4);
        if (no_context_takeover_) deflateReset(&zs);
    }
    return true;
}

void Compressor::release() { impl_.reset(); }
bool Compressor::holds_memory() const { return impl_ != nullptr; }
size_t Compressor::memory_used() const { return impl_ ? impl_->held + sizeof(Impl) : 0; }

Decompressor::Decompressor(int window_bits, bool no_context_takeover)
    : window_bits_(window_bits), no_context_takeover_(no_context_takeover) {}
Decompressor::~Decompressor() = default;
Decompressor::Decompressor(Decompressor&&) noexcept = default;
Decompressor& Decompressor::operator=(Decompressor&&) noexcept = default;

InflateResult Decompressor::decompress(std::string_view data, bool fin, std::string& out, size_t limit) {
    if (!impl_) {
        auto impl = std::make_unique<Impl>();
        prepare_stream(impl->zs, &impl->held);
        if (inflateInit2(&impl->zs, -window_bits_) != Z_OK) return InflateResult::corrupt;
        impl_ = std::move(impl);
    }
    InflateResult r = impl_->ended ? InflateResult::ok : inflate_piece(data, out, limit);
    if (r != InflateResult::ok || !fin) return r;
    if (!impl_->ended) r = inflate_piece({deflate_tail, 4}, out, limit);
    end_message();
    return r;
}

// Where zlib's stream stops at a message end: with context takeover the
// window must survive; a final block (BFINAL) ended zlib's stream, so a
// fresh one starts with the old window as its dictionary.
void Decompressor::end_message() {
    z_stream& zs = impl_->zs;
    bool ended = impl_->ended;
    impl_->ended = false;
    if (no_context_takeover_) {
        inflateReset(&zs);
        return;
    }
    if (!ended) return;
    std::string window(size_t{1} << window_bits_, '\0');
    uInt len = static_cast<uInt>(window.size());
    inflateGetDictionary(&zs, reinterpret_cast<Bytef*>(window.data()), &len);
    inflateReset(&zs);
    inflateSetDictionary(&zs, reinterpret_cast<const Bytef*>(window.data()), len);
}

// Inflates `data` into `out` up to `limit`. A final block ends the
// message's data: RFC 7692 §7.2.2 inflates "the resulting data", and
// DEFLATE stops there, so what follows (the tail) is ignored.
InflateResult Decompressor::inflate_piece(std::string_view data, std::string& out, size_t limit) {
    z_stream& zs = impl_->zs;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    for (;;) {
        if (out.size() >= limit) return probe_past_limit();
        size_t old = out.size();
        size_t room = std::min(grow_step(old, data.size()), limit - old);
        detail::reserve_bounded(out, old + room, limit);
        out.resize(old + room);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + old);
        zs.avail_out = static_cast<uInt>(room);
        int rc = inflate(&zs, Z_SYNC_FLUSH);
        out.resize(old + room - zs.avail_out);
        if (rc == Z_STREAM_END) {
            impl_->ended = true;
            return InflateResult::ok;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) return InflateResult::corrupt;
        if (zs.avail_out != 0) return InflateResult::ok; // input used up, output flushed
    }
}

// At the limit: would one more byte come out? A one-byte buffer on the
// stack answers without allocating anything.
InflateResult Decompressor::probe_past_limit() {
    z_stream& zs = impl_->zs;
    char byte;
    zs.next_out = reinterpret_cast<Bytef*>(&byte);
    zs.avail_out = 1;
    int rc = inflate(&zs, Z_SYNC_FLUSH);
    if (zs.avail_out == 0) return InflateResult::too_big;
    if (rc == Z_STREAM_END) {
        impl_->ended = true;
        return InflateResult::ok;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) return InflateResult::corrupt;
    return InflateResult::ok;
}

void Decompressor::release() { impl_.reset(); }
bool Decompressor::holds_memory() const { return impl_ != nullptr; }
size_t Decompressor::memory_used() const { return impl_ ? impl_->held + sizeof(Impl) : 0; }

} // namespace hornet::sdk::websocket
