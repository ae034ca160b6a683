// Stub: the incremental frame parser (being written).
#include "hornet/sdk/websocket/frame_parser.hpp"

namespace hornet::sdk::websocket {

FrameParser::FrameParser(FrameParserOptions options) : options_(options) {}

FrameParser::Step FrameParser::next(std::string_view, size_t& consumed, char*) {
    consumed = 0;
    return fail(close_code::internal_error, "frame parser not implemented");
}

FrameParser::Step FrameParser::fail(uint16_t code, const char* text) {
    state_ = State::failed;
    error_code_ = code;
    error_text_ = text;
    return Step::error;
}

} // namespace hornet::sdk::websocket
