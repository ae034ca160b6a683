// Stub: the WebSocket session (being written).
#include "hornet/sdk/websocket/session.hpp"

namespace hornet::sdk::websocket {

Session::Session(const SessionConfig& config)
    : config_(config), parser_(FrameParserOptions{config.deflate.has_value(), true}) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

Event Session::feed(std::string_view in, size_t& consumed) {
    consumed = in.size();
    return {};
}
SendResult Session::send(MessageKind, std::string_view, bool) { return SendResult::closed; }
SendResult Session::ping(std::string_view) { return SendResult::closed; }
SendResult Session::pong(std::string_view) { return SendResult::closed; }
SendResult Session::close(uint16_t, std::string_view) { return SendResult::closed; }
std::string_view Session::pending_output() const {
    return std::string_view(out_).substr(out_begin_);
}
void Session::consume_output(size_t n) { out_begin_ += n; }
void Session::shrink() {}
size_t Session::memory_used() const { return 0; }

} // namespace hornet::sdk::websocket
