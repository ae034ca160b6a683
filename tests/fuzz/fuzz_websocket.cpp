// tests/fuzz/fuzz_websocket.cpp: libFuzzer target for the SDK's WebSocket
// session (frame parser, UTF-8, close rules, permessage-deflate), fed what a
// client would send, whole and in pieces, with every message echoed back.
//
// Input: one option byte, then the client's bytes. Options:
//   bits 0-2  the piece size of the incremental feed: 1 2 3 7 16 64 512 all
//   bit 3     permessage-deflate negotiated
//   bit 4     no context takeover (with bit 3)
//   bit 5     a tiny message limit (1009 paths), else 64 KiB
//   bit 6     fragments delivered as they come
// Besides ASan/UBSan's checks, it traps when an invariant breaks: more bytes
// consumed than given, "none" with input left, a message over the limit,
// output that is not well-formed unmasked server frames, or the whole and
// piecewise feeds disagreeing on the messages, the output or the end.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hornet/sdk/websocket/frame_parser.hpp"
#include "hornet/sdk/websocket/session.hpp"

using namespace hornet::sdk::websocket;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

struct Run {
    std::string events; // kinds and payloads, fragments joined into their message
    std::string output; // every byte the server would write
    bool closed = false;
    uint16_t code = 0;
};

SessionConfig config_of(uint8_t b) {
    SessionConfig c;
    c.max_message = (b >> 5) & 1 ? 100 : 64 * 1024;
    c.deliver_fragments = (b >> 6) & 1;
    if ((b >> 3) & 1) {
        DeflateParams d;
        d.server_no_context_takeover = d.client_no_context_takeover = (b >> 4) & 1;
        d.min_size = 8;
        c.deflate = d;
    }
    return c;
}

void record(Session& s, const Event& ev, Run& run, const SessionConfig& c, std::string& message) {
    switch (ev.kind) {
    case EventKind::fragment:
        message += ev.payload;
        check(message.size() <= c.max_message);
        if (!ev.fin) return;
        run.events += "M" + message + "|";
        s.send(ev.message, message);
        message.clear();
        return;
    case EventKind::message:
        check(ev.payload.size() <= c.max_message);
        run.events += "M" + std::string(ev.payload) + "|";
        s.send(ev.message, ev.payload);
        return;
    case EventKind::ping: run.events += "P" + std::string(ev.payload) + "|"; return;
    case EventKind::pong: run.events += "O" + std::string(ev.payload) + "|"; return;
    case EventKind::close:
    case EventKind::error: run.code = ev.code; return;
    case EventKind::none: return;
    }
}

Run drive(std::string_view wire, size_t step, const SessionConfig& c) {
    Session s(c);
    Run run;
    std::string message;
    while (!wire.empty()) {
        std::string_view piece = wire.substr(0, step);
        wire.remove_prefix(piece.size());
        for (;;) {
            size_t used = 0;
            Event ev = s.feed(piece, used);
            check(used <= piece.size());
            piece.remove_prefix(used);
            if (ev.kind == EventKind::none) break;
            record(s, ev, run, c, message);
        }
        check(piece.empty());
        run.output += s.pending_output();
        s.consume_output(s.pending_size());
        if (wire.size() % 5 == 0) s.shrink();
    }
    run.closed = s.should_close();
    return run;
}

// The server's output parses as unmasked frames, controls within 125 bytes.
void check_output(std::string_view out) {
    FrameParser p(FrameParserOptions{true, false});
    std::string buf(out.size() + 1, '\0');
    while (true) {
        size_t used = 0;
        auto step = p.next(out, used, buf.data());
        out.remove_prefix(used);
        check(step != FrameParser::Step::error);
        if (step == FrameParser::Step::header) check(!p.header().mask);
        if (step == FrameParser::Step::need_more) break;
    }
    check(out.empty() && !p.in_payload());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    static constexpr size_t kSteps[8] = {1, 2, 3, 7, 16, 64, 512, SIZE_MAX};
    SessionConfig c = config_of(data[0]);
    std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
    Run whole = drive(wire, SIZE_MAX, c);
    Run pieces = drive(wire, kSteps[data[0] & 7], c);
    check_output(whole.output);
    // Two readings of one byte stream must agree (with fragments, pieces of
    // a message differ; the messages they join into do not).
    check(whole.events == pieces.events);
    check(whole.closed == pieces.closed && whole.code == pieces.code);
    check(whole.output == pieces.output);
    return 0;
}
