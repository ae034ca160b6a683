// hornet/sdk/websocket/session.hpp: one WebSocket connection's protocol,
// sans I/O: the object a worker type drives after the 101.
//
// The worker type feeds received bytes and gets events one at a time
// (message, fragment, ping, pong, close, error); the session queues what the
// protocol answers by itself (the pong to a ping, the echo of a close, the
// close with 1002/1007/1009 on a protocol error) and what the app sends, in
// one output buffer. The worker writes pending_output() out (a view: no
// copy), calls consume_output() with what the socket took, and ends the
// connection once should_close() is true and nothing is pending. Output
// size is visible (pending_size) so a worker type can stop reading or make
// the app wait: back-pressure is the worker type's to apply.
//
// Memory: an idle session holds its small state and whatever capacity its
// buffers kept; shrink() frees buffers above a few KiB (call it when the
// connection goes idle); zlib streams exist only with permessage-deflate and
// are freed between messages without context takeover.
// Not thread-safe: one thread (or strand) at a time drives a session.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hornet/sdk/websocket/deflate.hpp"
#include "hornet/sdk/websocket/extensions.hpp"
#include "hornet/sdk/websocket/frame.hpp"
#include "hornet/sdk/websocket/frame_parser.hpp"
#include "hornet/sdk/websocket/utf8.hpp"

namespace hornet::sdk::websocket {

// Gunicorn's ASGI worker and uvicorn take 16 MiB (uvicorn's ws_max_size).
inline constexpr size_t default_max_message = size_t{16} << 20;

struct SessionConfig {
    size_t max_message = default_max_message; // whole message, after inflating: 1009 past it
    bool deliver_fragments = false; // true: pieces as they arrive (Event::fragment), not whole messages
    std::optional<DeflateParams> deflate; // negotiated permessage-deflate, if any
};

enum class MessageKind : uint8_t { text, binary };

enum class EventKind : uint8_t {
    none,     // need more input (everything given was used)
    message,  // a whole message: kind, payload
    fragment, // (deliver_fragments) a piece of a message: kind, payload, fin on the last
    ping,     // payload; the pong is already queued
    pong,     // payload
    close,    // the peer's close: code (1005 if none), reason; the reply is queued
    error,    // a protocol error: code we closed with, reason says why; close queued
};

struct Event {
    EventKind kind = EventKind::none;
    MessageKind message = MessageKind::binary;
    bool fin = true;          // fragment: the message's last piece
    std::string_view payload; // valid until the next feed() or shrink()
    uint16_t code = 0;        // close / error
    std::string_view reason;  // close: the peer's reason; error: one line for a log
};

enum class SessionState : uint8_t {
    open,
    closing, // we sent a close; data is ignored until the peer's close comes
    closed,  // the close handshake is over or failed: write what is pending, then end
};

enum class SendResult : uint8_t {
    ok,
    closed,      // a close was sent or received: nothing more may be sent
    bad_payload, // text that is not UTF-8, or a control payload over 125 bytes
    bad_order,   // a message of the other kind while a fragmented send is unfinished
};

class Session {
public:
    explicit Session(const SessionConfig& config = {});
    ~Session();
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;

    // Parse from `in` up to the next event; `consumed` gets the bytes used
    // (the rest must be fed again). EventKind::none: all of `in` was used.
    // After an error or once closed, input is consumed and ignored.
    Event feed(std::string_view in, size_t& consumed);

    // A message, or (fin false) the first/next piece of a fragmented one;
    // every piece of one message has the same kind. Text is checked for UTF-8
    // (a piece may end inside a code point; the message must not). With
    // deflate the message is compressed unless under min_size.
    SendResult send(MessageKind kind, std::string_view payload, bool fin = true);
    SendResult ping(std::string_view payload = {});
    SendResult pong(std::string_view payload = {});
    // Queue a close (code 1005: none on the wire); state becomes closing.
    // Codes the peer could not receive (1005 aside) give bad_payload.
    SendResult close(uint16_t code = close_code::normal, std::string_view reason = {});

    // Bytes to write, in order; valid until the next call that changes the
    // session. consume_output() drops the first n.
    std::string_view pending_output() const;
    size_t pending_size() const { return out_.size() - out_begin_; }
    void consume_output(size_t n);

    // The worker type should end the connection once pending output is written.
    bool should_close() const { return state_ == SessionState::closed; }
    SessionState state() const { return state_; }
    bool close_sent() const { return close_sent_; }
    bool close_received() const { return close_received_; }

    // Free buffer capacity beyond a few KiB and idle zlib state.
    void shrink();
    // Bytes this session holds on the heap now (buffers' capacity and zlib),
    // for memory reports.
    size_t memory_used() const;

private:
    FrameParser::Step next_payload(std::string_view in, size_t& used);
    Event on_header();
    Event on_payload(std::string_view piece);
    Event on_frame_end();
    Event on_need_more();
    Event inflate(std::string_view piece, bool fin);
    Event deliver(bool fin);
    Event deliver_control(Opcode op);
    Event fail(uint16_t code, const char* why);
    bool check_text(std::string_view bytes);
    void start_message(const FrameHeader& h);
    SendResult check_send(MessageKind kind, std::string_view payload, bool fin);
    void queue_frame(Opcode op, bool fin, bool rsv1, std::string_view payload);
    void compact_output();

    SessionConfig config_;
    FrameParser parser_;
    std::string out_;          // pending output; drained from out_begin_
    size_t out_begin_ = 0;
    std::string message_;      // the incoming message (or, with fragments, its next piece)
    std::string control_;      // the incoming control frame's payload
    std::string scratch_;      // unmasked compressed or ignored bytes, in bounded chunks
    std::string compressed_;   // the outgoing message, compressed
    std::optional<Compressor> compressor_;
    std::optional<Decompressor> decompressor_;
    Utf8Validator utf8_in_;
    Utf8Validator utf8_out_;
    size_t message_size_ = 0;  // bytes of the incoming message so far (inflated)
    MessageKind in_kind_ = MessageKind::binary;
    MessageKind out_kind_ = MessageKind::binary;
    SessionState state_ = SessionState::open;
    bool in_compressed_ = false;  // the incoming message has RSV1
    bool discarding_ = false;     // the incoming message came after our close
    bool delivered_ = false;      // the last event handed out message_
    bool out_fragmented_ = false; // a fragmented send is unfinished
    bool out_compressed_ = false; // ... and it is compressed
    bool close_sent_ = false;
    bool close_received_ = false;
};

} // namespace hornet::sdk::websocket
