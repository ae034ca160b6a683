// The frame writer: RFC 6455 §5.2 headers with the minimal length encoding.
#include "hornet/sdk/websocket/frame.hpp"

#include <cstring>

namespace hornet::sdk::websocket {

size_t frame_header_size(const FrameHeader& h) {
    size_t n = 2;
    if (h.length > 0xFFFF) n += 8;
    else if (h.length > 125) n += 2;
    return h.mask ? n + 4 : n;
}

size_t write_frame_header(const FrameHeader& h, char* out) {
    auto* p = reinterpret_cast<uint8_t*>(out);
    p[0] = static_cast<uint8_t>((h.fin ? 0x80 : 0) | (h.rsv1 ? 0x40 : 0) | (h.rsv2 ? 0x20 : 0) |
                                (h.rsv3 ? 0x10 : 0) | static_cast<uint8_t>(h.opcode));
    uint8_t mask_bit = h.mask ? 0x80 : 0;
    size_t n = 2;
    if (h.length <= 125) {
        p[1] = static_cast<uint8_t>(mask_bit | h.length);
    } else if (h.length <= 0xFFFF) {
        p[1] = mask_bit | 126;
        p[2] = static_cast<uint8_t>(h.length >> 8);
        p[3] = static_cast<uint8_t>(h.length);
        n = 4;
    } else {
        p[1] = mask_bit | 127;
        for (int i = 0; i < 8; ++i) p[2 + i] = static_cast<uint8_t>(h.length >> (56 - 8 * i));
        n = 10;
    }
    if (h.mask) {
        std::memcpy(p + n, h.mask->data(), 4);
        n += 4;
    }
    return n;
}

void append_frame(std::string& out, FrameHeader h, std::string_view payload) {
    h.length = payload.size();
    char head[max_frame_header];
    size_t head_len = write_frame_header(h, head);
    size_t start = out.size();
    out.append(head, head_len);
    out.append(payload);
    if (h.mask) apply_mask(out.data() + start + head_len, payload.size(), *h.mask, 0);
}

void apply_mask(char* data, size_t len, const Mask& mask, uint64_t offset) {
    // Rotate the key so that index 0 of `data` uses the right mask byte, then
    // XOR eight bytes at a time: the hot loop of every received frame.
    uint8_t key[8];
    for (size_t i = 0; i < 8; ++i) key[i] = mask[(offset + i) % 4];
    uint64_t key64;
    std::memcpy(&key64, key, 8);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        std::memcpy(&v, data + i, 8);
        v ^= key64;
        std::memcpy(data + i, &v, 8);
    }
    for (; i < len; ++i) data[i] = static_cast<char>(data[i] ^ key[i % 8]);
}

} // namespace hornet::sdk::websocket
