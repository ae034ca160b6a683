// Stub: permessage-deflate on zlib (being written).
#include "hornet/sdk/websocket/deflate.hpp"

namespace hornet::sdk::websocket {

struct Compressor::Impl {};
struct Decompressor::Impl {};

Compressor::Compressor(int window_bits, int level, bool no_context_takeover)
    : window_bits_(window_bits), level_(level), no_context_takeover_(no_context_takeover) {}
Compressor::~Compressor() = default;
Compressor::Compressor(Compressor&&) noexcept = default;
Compressor& Compressor::operator=(Compressor&&) noexcept = default;
bool Compressor::compress(std::string_view, bool, std::string&) { return false; }
void Compressor::release() { impl_.reset(); }
bool Compressor::holds_memory() const { return impl_ != nullptr; }

Decompressor::Decompressor(int window_bits, bool no_context_takeover)
    : window_bits_(window_bits), no_context_takeover_(no_context_takeover) {}
Decompressor::~Decompressor() = default;
Decompressor::Decompressor(Decompressor&&) noexcept = default;
Decompressor& Decompressor::operator=(Decompressor&&) noexcept = default;
InflateResult Decompressor::decompress(std::string_view, bool, std::string&, size_t) {
    return InflateResult::corrupt;
}
void Decompressor::release() { impl_.reset(); }
bool Decompressor::holds_memory() const { return impl_ != nullptr; }

} // namespace hornet::sdk::websocket
