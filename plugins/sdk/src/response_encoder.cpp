// The response state machine: what to send for start/write/finish.
#include "hornet/sdk/response_encoder.hpp"

#include <charconv>

#include "hornet/support/http_syntax.hpp"

namespace hornet::sdk {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";
constexpr std::string_view kLastChunkLine = "0\r\n";

} // namespace

void ResponseEncoder::reset(const ResponseContext& ctx) {
    ctx_ = ctx;
    started_ = head_sent_ = finished_ = complete_ = false;
    written_ = sent_ = 0;
    trailers_.clear();
}

int ResponseEncoder::start(int status, std::span<const hornet_header_t> headers) {
    if (started_ || finished_) return HORNET_EINVAL;
    if (int rc = head_.build(status, headers, ctx_); rc != HORNET_OK) return rc;
    started_ = true;
    return HORNET_OK;
}

int ResponseEncoder::start_upgrade(std::span<const hornet_header_t> headers) {
    if (started_ || finished_) return HORNET_EINVAL;
    if (int rc = head_.build_upgrade(headers); rc != HORNET_OK) return rc;
    started_ = true;
    return HORNET_OK;
}

void ResponseEncoder::take_head(WireBuffers& out) {
    if (head_sent_) return;
    out.add(head_.bytes());
    head_sent_ = true;
}

int ResponseEncoder::frame_into(uint64_t len, WireBuffers& out, bool& send_data, std::string_view& after) {
    send_data = false;
    after = {};
    if (!started_ || finished_) return HORNET_EINVAL;
    if (len != 0 && !upgraded() && !support::status_has_body(head_.status())) return HORNET_EINVAL;
    // Checked for HEAD too: the app writes what GET would send.
    if (head_.has_length() && len > head_.content_length() - written_) return HORNET_EINVAL;
    take_head(out); // a zero-length write flushes the head
    if (len == 0) return HORNET_OK;
    written_ += len;
    if (head_.framing() == Framing::none) return HORNET_OK;
    send_data = true;
    sent_ += len;
    if (head_.framing() != Framing::chunked) return HORNET_OK;
    auto [end, ec] = std::to_chars(chunk_line_, chunk_line_ + sizeof chunk_line_ - 2, len, 16);
    end[0] = '\r';
    end[1] = '\n';
    out.add(chunk_line_, static_cast<size_t>(end + 2 - chunk_line_));
    after = kCrlf;
    return HORNET_OK;
}

int ResponseEncoder::body(const void* data, size_t len, WireBuffers& out) {
    bool send_data = false;
    std::string_view after;
    if (int rc = frame_into(len, out, send_data, after); rc != HORNET_OK) return rc;
    if (send_data) out.add(data, len);
    out.add(after);
    return HORNET_OK;
}

int ResponseEncoder::frame(uint64_t len, BodyFrame& f) {
    f.before.clear();
    return frame_into(len, f.before, f.send_data, f.after);
}

void ResponseEncoder::finish(WireBuffers& out) {
    if (finished_) return;
    if (!started_) {
        static const hornet_header_t kEmpty[] = {{{"Content-Length", 14}, {"0", 1}}};
        start(200, kEmpty);
    }
    take_head(out);
    finished_ = true;
    if (head_.framing() == Framing::chunked) add_last_chunk(out);
    const bool short_body = head_.framing() == Framing::length && written_ != head_.content_length();
    complete_ = !short_body;
}

int ResponseEncoder::trailers(std::span<const hornet_header_t> fields) {
    if (!started_ || finished_ || upgraded()) return HORNET_EINVAL;
    const int rc = trailers_.add(fields);
    if (!carries_trailers()) trailers_.clear(); // checked all the same, then dropped: the client cannot take them
    return rc;
}

// RFC 9112 7.1: last-chunk, the trailer section, the blank line.
void ResponseEncoder::add_last_chunk(WireBuffers& out) {
    if (trailers_.bytes().empty()) return out.add(kLastChunk);
    out.add(kLastChunkLine);
    out.add(trailers_.bytes());
    out.add(kCrlf);
}

void ResponseEncoder::error_response(int status, WireBuffers& out) {
    ResponseContext ctx = ctx_;
    ctx.keep_alive = false; // after an error the stream may be out of step
    reset(ctx);
    const std::string_view reason = status_reason(status);
    char digits[8];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, reason.size() + 1);
    const hornet_header_t headers[] = {
        {{"Content-Type", 12}, {"text/plain; charset=utf-8", 25}},
        {{"Content-Length", 14}, {digits, static_cast<size_t>(end - digits)}}};
    start(status, headers);
    body(reason.data(), reason.size(), out);
    body("\n", 1, out);
    finish(out);
}

} // namespace hornet::sdk
