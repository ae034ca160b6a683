// hornet/sdk/websocket/frame.hpp: RFC 6455 frame vocabulary (opcodes, close
// codes, the frame header) and the frame writer.
//
// The writer puts a frame header into a caller's buffer, so a worker type can
// send header + payload with one writev and no copy; append_frame() builds a
// whole frame in a string (the session's output buffer uses it). Server
// frames are unmasked; a mask is only for tests and clients. Pure functions,
// any thread. For worker-type authors and the session.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hornet::sdk::websocket {

enum class Opcode : uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

inline bool is_control(Opcode op) { return (static_cast<uint8_t>(op) & 0x8) != 0; }

// Close status codes (RFC 6455 §7.4.1) the codec uses or checks.
namespace close_code {
inline constexpr uint16_t normal = 1000;
inline constexpr uint16_t going_away = 1001;
inline constexpr uint16_t protocol_error = 1002;
inline constexpr uint16_t unsupported_data = 1003;
inline constexpr uint16_t no_status = 1005;      // never on the wire: "no code sent"
inline constexpr uint16_t abnormal = 1006;       // never on the wire: "connection lost"
inline constexpr uint16_t invalid_payload = 1007;
inline constexpr uint16_t policy_violation = 1008;
inline constexpr uint16_t message_too_big = 1009;
inline constexpr uint16_t mandatory_extension = 1010;
inline constexpr uint16_t internal_error = 1011;
} // namespace close_code

// The largest payload of a control frame (ping, pong, close).
inline constexpr size_t max_control_payload = 125;
// The longest frame header: 2 + 8 (64-bit length) + 4 (mask).
inline constexpr size_t max_frame_header = 14;

using Mask = std::array<uint8_t, 4>;

struct FrameHeader {
    bool fin = true;
    bool rsv1 = false; // "compressed": first frame of a permessage-deflate message
    bool rsv2 = false;
    bool rsv3 = false;
    Opcode opcode = Opcode::text;
    uint64_t length = 0;
    std::optional<Mask> mask; // client frames only
};

// Bytes the header of `h` takes on the wire (2..14), minimal length encoding.
size_t frame_header_size(const FrameHeader& h);

// Writes the header of `h` at `out` (room for max_frame_header bytes) with
// the minimal length encoding; returns the bytes written.
size_t write_frame_header(const FrameHeader& h, char* out);

// Appends header + payload to `out`; masks the payload if h.mask is set.
// h.length is taken from payload.size().
void append_frame(std::string& out, FrameHeader h, std::string_view payload);

// XORs `data` with the mask, starting at byte `offset` of the payload (so a
// payload can be unmasked in pieces).
void apply_mask(char* data, size_t len, const Mask& mask, uint64_t offset);

} // namespace hornet::sdk::websocket
