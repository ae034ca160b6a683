// One WebSocket connection's protocol (RFC 6455 §5-§7, RFC 7692 §6): the
// frame parser's steps become events, and the answers the protocol owes
// (pong, close echo, close on error) go to the output buffer by themselves.
//
// Where payload bytes land: a data frame's straight into message_ (the
// unmasking copy is the only one), a control frame's into control_, and a
// compressed or ignored frame's into scratch_ in bounded chunks, so no
// buffer is ever larger than the message limit or a chunk.
#include "hornet/sdk/websocket/session.hpp"

#include <algorithm>

#include "buffer_growth.hpp"
#include "hornet/sdk/websocket/close.hpp"

namespace hornet::sdk::websocket {

namespace {

constexpr size_t idle_keep = 2048;          // buffer capacity shrink() leaves alone
constexpr size_t scratch_chunk = 16 * 1024; // compressed bytes unmasked at a time
constexpr size_t compact_above = 4096;      // drained output bytes worth moving

size_t heap_bytes(const std::string& s) {
    return s.capacity() > 15 ? s.capacity() + 1 : 0; // 15: libstdc++'s in-place capacity
}

} // namespace

Session::Session(const SessionConfig& config)
    : config_(config), parser_(FrameParserOptions{config.deflate.has_value(), true}) {
    if (!config_.deflate) return;
    const DeflateParams& d = *config_.deflate;
    compressor_.emplace(d.server_max_window_bits, d.level, d.server_no_context_takeover);
    decompressor_.emplace(d.client_max_window_bits, d.client_no_context_takeover);
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

Event Session::feed(std::string_view in, size_t& consumed) {
    consumed = 0;
    if (delivered_) {
        message_.clear();
        delivered_ = false;
    }
    while (state_ != SessionState::closed) {
        std::string_view rest = in.substr(consumed);
        size_t used = 0;
        FrameParser::Step step = parser_.in_payload() ? next_payload(rest, used) : parser_.next(rest, used, nullptr);
        consumed += used;
        Event ev;
        switch (step) {
        case FrameParser::Step::need_more: return on_need_more();
        case FrameParser::Step::header: ev = on_header(); break;
        case FrameParser::Step::payload: ev = on_payload(parser_.piece()); break;
        case FrameParser::Step::frame_end: ev = on_frame_end(); break;
        case FrameParser::Step::error: return fail(parser_.error_code(), parser_.error_text());
        }
        if (ev.kind != EventKind::none) return ev;
    }
    consumed = in.size(); // closed: whatever else comes is ignored
    return {};
}

FrameParser::Step Session::next_payload(std::string_view in, size_t& used) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(in.size(), parser_.payload_left()));
    if (n == 0) return parser_.next(in, used, nullptr); // frame_end or need_more
    std::string* dest = &message_;
    size_t bound = config_.max_message;
    if (is_control(parser_.header().opcode)) {
        dest = &control_;
        bound = max_control_payload;
    } else if (discarding_ || in_compressed_) {
        n = std::min(n, scratch_chunk);
        scratch_.clear();
        dest = &scratch_;
        bound = scratch_chunk;
    }
    size_t old = dest->size();
    char* at = detail::grow_by(*dest, n, bound);
    FrameParser::Step step = parser_.next(in.substr(0, n), used, at);
    dest->resize(old + used);
    return step;
}

void Session::start_message(const FrameHeader& h) {
    in_kind_ = h.opcode == Opcode::text ? MessageKind::text : MessageKind::binary;
    in_compressed_ = h.rsv1;
    message_size_ = 0;
    message_.clear();
    utf8_in_.reset();
    discarding_ = false;
}

Event Session::on_header() {
    const FrameHeader& h = parser_.header();
    if (is_control(h.opcode)) {
        control_.clear();
        return {};
    }
    if (h.opcode != Opcode::continuation) start_message(h);
    if (state_ == SessionState::closing) discarding_ = true; // our close went out mid-message
    if (discarding_ || in_compressed_) return {}; // inflated size is checked as it grows
    if (h.length > config_.max_message - message_size_)
        return fail(close_code::message_too_big, "message over the size limit");
    return {};
}

bool Session::check_text(std::string_view bytes) {
    return in_kind_ != MessageKind::text || utf8_in_.feed(bytes);
}

Event Session::on_payload(std::string_view piece) {
    if (is_control(parser_.header().opcode) || discarding_) return {};
    if (!in_compressed_) {
        message_size_ += piece.size();
        if (!check_text(piece)) return fail(close_code::invalid_payload, "text message is not UTF-8");
        return {};
    }
    return inflate(piece, false);
}

// Inflates a piece of a compressed message (fin: its end, with the tail).
// Bytes that came out are checked as text before a zlib error or the limit
// is reported, so the verdict does not depend on how the input was split.
Event Session::inflate(std::string_view piece, bool fin) {
    size_t before = message_.size();
    size_t limit = before + (config_.max_message - message_size_);
    InflateResult r = decompressor_->decompress(piece, fin, message_, limit);
    std::string_view inflated(message_.data() + before, message_.size() - before);
    message_size_ += inflated.size();
    if (!check_text(inflated)) return fail(close_code::invalid_payload, "text message is not UTF-8");
    if (r == InflateResult::too_big) return fail(close_code::message_too_big, "message over the size limit");
    if (r == InflateResult::corrupt) return fail(close_code::invalid_payload, "compressed message is corrupt");
    return {};
}

Event Session::on_frame_end() {
    const FrameHeader& h = parser_.header();
    if (is_control(h.opcode)) return deliver_control(h.opcode);
    if (discarding_) return {};
    if (!h.fin) return config_.deliver_fragments && !message_.empty() ? deliver(false) : Event{};
    if (in_compressed_) {
        // The message's end: the 00 00 ff ff tail may still flush bytes.
        Event ev = inflate({}, true);
        if (ev.kind != EventKind::none) return ev;
    }
    if (in_kind_ == MessageKind::text && !utf8_in_.complete())
        return fail(close_code::invalid_payload, "text message ends inside a code point");
    return deliver(true);
}

Event Session::on_need_more() {
    // With fragments, hand out what a partial frame brought: the app streams
    // and the session holds no more than one read's worth.
    bool mid_data = parser_.in_payload() && !is_control(parser_.header().opcode);
    if (config_.deliver_fragments && mid_data && !discarding_ && !message_.empty()) return deliver(false);
    return {};
}

Event Session::deliver(bool fin) {
    Event ev;
    ev.kind = config_.deliver_fragments ? EventKind::fragment : EventKind::message;
    ev.message = in_kind_;
    ev.fin = fin;
    ev.payload = message_;
    delivered_ = true;
    return ev;
}

Event Session::deliver_control(Opcode op) {
    Event ev;
    ev.payload = control_;
    if (op == Opcode::ping) {
        if (state_ == SessionState::open) queue_frame(Opcode::pong, true, false, control_);
        ev.kind = EventKind::ping;
        return ev;
    }
    if (op == Opcode::pong) {
        ev.kind = EventKind::pong;
        return ev;
    }
    CloseParse c = parse_close_payload(control_);
    if (!c.ok) return fail(c.error, c.what);
    close_received_ = true;
    if (!close_sent_) {
        // Echo the code (§5.5.1), no reason: the peer knows its own.
        queue_frame(Opcode::close, true, false, close_payload(c.code, {}));
        close_sent_ = true;
    }
    state_ = SessionState::closed;
    ev.kind = EventKind::close;
    ev.code = c.code;
    ev.reason = c.reason;
    ev.payload = {};
    return ev;
}

Event Session::fail(uint16_t code, const char* why) {
    if (!close_sent_) {
        queue_frame(Opcode::close, true, false, close_payload(code, why));
        close_sent_ = true;
    }
    state_ = SessionState::closed;
    Event ev;
    ev.kind = EventKind::error;
    ev.code = code;
    ev.reason = why;
    return ev;
}

// What send() refuses; commits the text check on success.
SendResult Session::check_send(MessageKind kind, std::string_view payload, bool fin) {
    if (state_ != SessionState::open) return SendResult::closed;
    if (out_fragmented_ && kind != out_kind_) return SendResult::bad_order;
    if (kind != MessageKind::text) return SendResult::ok;
    Utf8Validator v = out_fragmented_ ? utf8_out_ : Utf8Validator{};
    if (!v.feed(payload) || (fin && !v.complete())) return SendResult::bad_payload;
    utf8_out_ = v;
    return SendResult::ok;
}

SendResult Session::send(MessageKind kind, std::string_view payload, bool fin) {
    if (SendResult r = check_send(kind, payload, fin); r != SendResult::ok) return r;
    bool first = !out_fragmented_;
    if (first) out_compressed_ = compressor_ && (!fin || payload.size() >= config_.deflate->min_size);
    if (out_compressed_) {
        compressed_.clear();
        if (!compressor_->compress(payload, fin, compressed_)) return SendResult::bad_payload;
        payload = compressed_;
    }
    Opcode op = !first ? Opcode::continuation : kind == MessageKind::text ? Opcode::text : Opcode::binary;
    queue_frame(op, fin, first && out_compressed_, payload);
    out_fragmented_ = !fin;
    out_kind_ = kind;
    return SendResult::ok;
}

SendResult Session::ping(std::string_view payload) {
    if (state_ != SessionState::open) return SendResult::closed;
    if (payload.size() > max_control_payload) return SendResult::bad_payload;
    queue_frame(Opcode::ping, true, false, payload);
    return SendResult::ok;
}

SendResult Session::pong(std::string_view payload) {
    if (state_ != SessionState::open) return SendResult::closed;
    if (payload.size() > max_control_payload) return SendResult::bad_payload;
    queue_frame(Opcode::pong, true, false, payload);
    return SendResult::ok;
}

SendResult Session::close(uint16_t code, std::string_view reason) {
    if (close_sent_) return SendResult::closed;
    if (code != close_code::no_status && !is_valid_close_code(code)) return SendResult::bad_payload;
    if (!is_valid_utf8(reason)) return SendResult::bad_payload;
    queue_frame(Opcode::close, true, false, close_payload(code, reason));
    close_sent_ = true;
    state_ = close_received_ ? SessionState::closed : SessionState::closing;
    return SendResult::ok;
}

void Session::queue_frame(Opcode op, bool fin, bool rsv1, std::string_view payload) {
    compact_output();
    FrameHeader h;
    h.fin = fin;
    h.rsv1 = rsv1;
    h.opcode = op;
    append_frame(out_, h, payload);
}

void Session::compact_output() {
    if (out_begin_ == 0) return;
    if (out_begin_ == out_.size()) {
        out_.clear();
        out_begin_ = 0;
    } else if (out_begin_ >= compact_above && out_begin_ * 2 >= out_.size()) {
        out_.erase(0, out_begin_);
        out_begin_ = 0;
    }
}

std::string_view Session::pending_output() const {
    return std::string_view(out_).substr(out_begin_);
}

void Session::consume_output(size_t n) {
    out_begin_ += std::min(n, pending_size());
    if (out_begin_ == out_.size()) {
        out_.clear();
        out_begin_ = 0;
    }
}

void Session::shrink() {
    if (delivered_) {
        message_.clear();
        delivered_ = false;
    }
    scratch_.clear();
    compressed_.clear();
    compact_output();
    for (std::string* s : {&out_, &message_, &control_, &scratch_, &compressed_})
        if (s->capacity() > idle_keep) s->shrink_to_fit();
    bool receiving = parser_.in_payload() || parser_.in_fragmented_message();
    if (compressor_ && config_.deflate->server_no_context_takeover && !out_fragmented_) compressor_->release();
    if (decompressor_ && config_.deflate->client_no_context_takeover && !receiving) decompressor_->release();
}

size_t Session::memory_used() const {
    size_t n = heap_bytes(out_) + heap_bytes(message_) + heap_bytes(control_) + heap_bytes(scratch_) +
               heap_bytes(compressed_);
    if (compressor_) n += compressor_->memory_used();
    if (decompressor_) n += decompressor_->memory_used();
    return n;
}

} // namespace hornet::sdk::websocket
