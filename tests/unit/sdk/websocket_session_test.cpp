// tests/unit/sdk/websocket_session_test.cpp: the session a worker type
// drives: events from bytes however split, the answers it queues by itself
// (pong, close echo, close on error), the close state machine, sending,
// permessage-deflate end to end, fragments, and what an idle session holds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hornet/sdk/websocket/session.hpp"
#include "websocket_frames.hpp"

using namespace hornet::sdk::websocket;
using wstest::client_frame;
using wstest::close_frame;
using wstest::server_frames;

namespace {

struct Seen {
    EventKind kind;
    MessageKind message;
    bool fin;
    std::string payload;
    uint16_t code;
    std::string reason;
};

// Feeds `wire` in chunks of `chunk` bytes (0: whole), as a worker would:
// each chunk until its events are out; returns them, payloads copied.
std::vector<Seen> feed(Session& s, std::string_view wire, size_t chunk = 0) {
    std::vector<Seen> seen;
    size_t at = 0;
    while (at < wire.size()) {
        std::string_view piece = wire.substr(at, chunk ? chunk : wire.size());
        at += piece.size();
        for (;;) {
            size_t used = 0;
            Event ev = s.feed(piece, used);
            EXPECT_LE(used, piece.size());
            piece.remove_prefix(used);
            if (ev.kind == EventKind::none) break;
            seen.push_back({ev.kind, ev.message, ev.fin, std::string(ev.payload), ev.code, std::string(ev.reason)});
        }
        EXPECT_TRUE(piece.empty()) << "none must mean all input was used";
    }
    return seen;
}

std::string drain(Session& s) {
    std::string out(s.pending_output());
    s.consume_output(out.size());
    return out;
}

SessionConfig with_deflate(bool no_takeover = false) {
    SessionConfig c;
    DeflateParams d;
    d.server_no_context_takeover = no_takeover;
    d.client_no_context_takeover = no_takeover;
    d.min_size = 16;
    c.deflate = d;
    return c;
}

// A compressed client message (RSV1 on the first frame), split in `pieces` frames.
std::string compressed_message(Compressor& c, Opcode op, std::string_view text, int pieces = 1) {
    std::string wire;
    size_t step = text.size() / pieces + 1;
    for (int i = 0; i < pieces; ++i) {
        std::string_view part = text.substr(std::min(text.size(), i * step), step);
        bool fin = i == pieces - 1;
        std::string z;
        EXPECT_TRUE(c.compress(part, fin, z));
        wire += client_frame(i == 0 ? op : Opcode::continuation, z, fin, i == 0);
    }
    return wire;
}

} // namespace

TEST(WebSocketSession, WholeMessagesHoweverSplit) {
    std::string wire = client_frame(Opcode::text, "Hello") + client_frame(Opcode::binary, std::string(300, '\x01')) +
                       client_frame(Opcode::text, "");
    for (size_t chunk : {0u, 1u, 2u, 7u, 64u}) {
        Session s;
        auto seen = feed(s, wire, chunk);
        ASSERT_EQ(seen.size(), 3u) << chunk;
        EXPECT_EQ(seen[0].kind, EventKind::message);
        EXPECT_EQ(seen[0].message, MessageKind::text);
        EXPECT_EQ(seen[0].payload, "Hello");
        EXPECT_EQ(seen[1].message, MessageKind::binary);
        EXPECT_EQ(seen[1].payload, std::string(300, '\x01'));
        EXPECT_EQ(seen[2].payload, "");
        EXPECT_EQ(s.pending_size(), 0u);
    }
}

TEST(WebSocketSession, FragmentsReassembledAroundAPing) {
    std::string wire = client_frame(Opcode::text, "Hel", false) + client_frame(Opcode::ping, "are you there") +
                       client_frame(Opcode::continuation, "lo \xe2\x82", false) +
                       client_frame(Opcode::continuation, "\xac!"); // the euro sign split across fragments
    for (size_t chunk : {0u, 1u}) {
        Session s;
        auto seen = feed(s, wire, chunk);
        ASSERT_EQ(seen.size(), 2u);
        EXPECT_EQ(seen[0].kind, EventKind::ping);
        EXPECT_EQ(seen[0].payload, "are you there");
        EXPECT_EQ(seen[1].kind, EventKind::message);
        EXPECT_EQ(seen[1].payload, "Hello \xe2\x82\xac!");
        auto out = server_frames(drain(s));
        ASSERT_EQ(out.size(), 1u);
        EXPECT_EQ(out[0].header.opcode, Opcode::pong);
        EXPECT_EQ(out[0].payload, "are you there");
    }
}

TEST(WebSocketSession, PongIsReported) {
    Session s;
    auto seen = feed(s, client_frame(Opcode::pong, "beat"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::pong);
    EXPECT_EQ(seen[0].payload, "beat");
    EXPECT_EQ(s.pending_size(), 0u);
}

TEST(WebSocketSession, InvalidUtf8FailsBeforeTheMessageEnds) {
    // Autobahn 6.4.x: the bad bytes come in the first fragment; the session
    // fails then, without waiting for the rest.
    Session s;
    auto seen = feed(s, client_frame(Opcode::text, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80", false));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::error);
    EXPECT_EQ(seen[0].code, close_code::invalid_payload);
    EXPECT_TRUE(s.should_close());
    auto out = server_frames(drain(s));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].header.opcode, Opcode::close);
    EXPECT_EQ(out[0].close_code(), close_code::invalid_payload);
}

TEST(WebSocketSession, InvalidUtf8FailsInsideAPartialFrame) {
    // Even a frame that has not fully arrived fails at the bad byte.
    std::string frame = client_frame(Opcode::text, std::string(100, 'a') + "\xc0\xaf" + std::string(100, 'b'));
    Session s;
    auto seen = feed(s, std::string_view(frame).substr(0, 8 + 102)); // 8: header with a 16-bit length
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].code, close_code::invalid_payload);
}

TEST(WebSocketSession, TextEndingInsideACodePointIs1007) {
    Session s;
    auto seen = feed(s, client_frame(Opcode::text, "abc\xe2\x82"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::error);
    EXPECT_EQ(seen[0].code, close_code::invalid_payload);
}

TEST(WebSocketSession, BinaryIsNotChecked) {
    Session s;
    auto seen = feed(s, client_frame(Opcode::binary, "\xff\xfe"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::message);
}

TEST(WebSocketSession, MessageLimitIs1009) {
    SessionConfig c;
    c.max_message = 1000;
    {
        Session s(c);
        auto seen = feed(s, client_frame(Opcode::binary, std::string(1000, 'x')));
        ASSERT_EQ(seen.size(), 1u);
        EXPECT_EQ(seen[0].kind, EventKind::message);
    }
    {
        // The header alone says it is too big: no payload byte is needed.
        Session s(c);
        std::string frame = client_frame(Opcode::binary, std::string(1001, 'x'));
        auto seen = feed(s, std::string_view(frame).substr(0, 8));
        ASSERT_EQ(seen.size(), 1u);
        EXPECT_EQ(seen[0].kind, EventKind::error);
        EXPECT_EQ(seen[0].code, close_code::message_too_big);
        EXPECT_EQ(server_frames(drain(s)).at(0).close_code(), close_code::message_too_big);
    }
    {
        // Fragments add up.
        Session s(c);
        auto seen = feed(s, client_frame(Opcode::text, std::string(600, 'x'), false) +
                                client_frame(Opcode::continuation, std::string(600, 'x')));
        ASSERT_EQ(seen.size(), 1u);
        EXPECT_EQ(seen[0].code, close_code::message_too_big);
    }
}

TEST(WebSocketSession, ClientCloseIsEchoedAndEnds) {
    Session s;
    auto seen = feed(s, close_frame(1000, "bye") + client_frame(Opcode::text, "after close"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::close);
    EXPECT_EQ(seen[0].code, 1000);
    EXPECT_EQ(seen[0].reason, "bye");
    EXPECT_TRUE(s.should_close());
    EXPECT_TRUE(s.close_received());
    auto out = server_frames(drain(s));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].header.opcode, Opcode::close);
    EXPECT_EQ(out[0].close_code(), 1000);
    EXPECT_EQ(s.send(MessageKind::text, "late"), SendResult::closed);
    EXPECT_EQ(s.ping(), SendResult::closed);
    EXPECT_EQ(s.pending_size(), 0u);
}

TEST(WebSocketSession, EmptyCloseEchoedEmpty) {
    Session s;
    auto seen = feed(s, client_frame(Opcode::close, ""));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].code, close_code::no_status);
    auto out = server_frames(drain(s));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].payload, "");
}

TEST(WebSocketSession, BadClosePayloads) {
    const struct {
        std::string frame;
        uint16_t code;
    } cases[] = {
        {client_frame(Opcode::close, "\x03"), close_code::protocol_error},
        {close_frame(1005), close_code::protocol_error},
        {close_frame(999), close_code::protocol_error},
        {close_frame(2000), close_code::protocol_error},
        {close_frame(1000, "\xff"), close_code::invalid_payload},
    };
    for (const auto& c : cases) {
        Session s;
        auto seen = feed(s, c.frame);
        ASSERT_EQ(seen.size(), 1u);
        EXPECT_EQ(seen[0].kind, EventKind::error);
        EXPECT_EQ(seen[0].code, c.code);
        EXPECT_EQ(server_frames(drain(s)).at(0).close_code(), c.code);
    }
}

TEST(WebSocketSession, ServerCloseWaitsForThePeersAndIgnoresData) {
    Session s;
    ASSERT_EQ(s.close(close_code::going_away, "draining"), SendResult::ok);
    EXPECT_EQ(s.state(), SessionState::closing);
    EXPECT_FALSE(s.should_close());
    auto out = server_frames(drain(s));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].close_code(), close_code::going_away);
    EXPECT_EQ(out[0].payload.substr(2), "draining");
    EXPECT_EQ(s.send(MessageKind::text, "no"), SendResult::closed);
    EXPECT_EQ(s.close(), SendResult::closed);
    // Data and pings after our close: no events for data, no pong.
    auto seen = feed(s, client_frame(Opcode::text, "ignored", false) + client_frame(Opcode::ping, "p") +
                            client_frame(Opcode::continuation, "still ignored"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::ping);
    EXPECT_EQ(s.pending_size(), 0u);
    seen = feed(s, close_frame(1000));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::close);
    EXPECT_TRUE(s.should_close());
    EXPECT_EQ(s.pending_size(), 0u) << "the close was sent already: no second one";
}

TEST(WebSocketSession, ProtocolErrorClosesWith1002AndIgnoresTheRest) {
    Session s;
    std::string unmasked("\x81\x02hi", 4);
    auto seen = feed(s, client_frame(Opcode::text, "ok") + unmasked + client_frame(Opcode::text, "never"));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].kind, EventKind::message);
    EXPECT_EQ(seen[1].kind, EventKind::error);
    EXPECT_EQ(seen[1].code, close_code::protocol_error);
    EXPECT_FALSE(seen[1].reason.empty());
    EXPECT_TRUE(s.should_close());
    EXPECT_EQ(server_frames(drain(s)).at(0).close_code(), close_code::protocol_error);
    size_t used = 0;
    std::string more = client_frame(Opcode::text, "x");
    EXPECT_EQ(s.feed(more, used).kind, EventKind::none);
    EXPECT_EQ(used, more.size());
}

TEST(WebSocketSession, SendsUnmaskedFramesWholeAndFragmented) {
    Session s;
    ASSERT_EQ(s.send(MessageKind::text, "Hello"), SendResult::ok);
    EXPECT_EQ(s.pending_output(), std::string_view("\x81\x05Hello", 7));
    drain(s);
    ASSERT_EQ(s.send(MessageKind::binary, std::string(70000, 'b')), SendResult::ok);
    auto big = server_frames(drain(s));
    ASSERT_EQ(big.size(), 1u);
    EXPECT_EQ(big[0].header.length, 70000u);

    ASSERT_EQ(s.send(MessageKind::text, "Hel\xe2\x82", false), SendResult::ok);
    EXPECT_EQ(s.send(MessageKind::binary, "x"), SendResult::bad_order);
    ASSERT_EQ(s.ping("mid"), SendResult::ok);
    ASSERT_EQ(s.send(MessageKind::text, "\xac"), SendResult::ok);
    auto out = server_frames(drain(s));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].header.opcode, Opcode::text);
    EXPECT_FALSE(out[0].header.fin);
    EXPECT_EQ(out[1].header.opcode, Opcode::ping);
    EXPECT_EQ(out[2].header.opcode, Opcode::continuation);
    EXPECT_TRUE(out[2].header.fin);
    EXPECT_EQ(out[0].payload + out[2].payload, "Hel\xe2\x82\xac");
}

TEST(WebSocketSession, RefusesWhatItMayNotSend) {
    Session s;
    EXPECT_EQ(s.send(MessageKind::text, "\xff"), SendResult::bad_payload);
    EXPECT_EQ(s.send(MessageKind::text, "ends inside \xe2\x82"), SendResult::bad_payload);
    EXPECT_EQ(s.ping(std::string(126, 'p')), SendResult::bad_payload);
    EXPECT_EQ(s.pong(std::string(126, 'p')), SendResult::bad_payload);
    EXPECT_EQ(s.close(1006), SendResult::bad_payload);
    EXPECT_EQ(s.close(1015), SendResult::bad_payload);
    EXPECT_EQ(s.close(1000, "\xff"), SendResult::bad_payload);
    EXPECT_EQ(s.pending_size(), 0u) << "nothing refused reached the output";
    EXPECT_EQ(s.close(close_code::no_status), SendResult::ok);
    EXPECT_EQ(server_frames(drain(s)).at(0).payload, "");
}

TEST(WebSocketSession, OutputDrainsInPiecesInOrder) {
    Session s;
    std::string expect;
    for (int i = 0; i < 100; ++i) {
        std::string msg = "message " + std::to_string(i) + std::string(100, '.');
        ASSERT_EQ(s.send(MessageKind::text, msg), SendResult::ok);
        std::string frame;
        append_frame(frame, FrameHeader{}, msg);
        expect += frame;
    }
    EXPECT_EQ(s.pending_size(), expect.size()) << "back-pressure needs the size";
    std::string written;
    while (s.pending_size()) {
        std::string_view out = s.pending_output();
        size_t n = std::min<size_t>(out.size(), 333);
        written.append(out.substr(0, n));
        s.consume_output(n);
        if (written.size() % 999 == 0) {
            // Sending while output is half written appends after it.
            ASSERT_EQ(s.send(MessageKind::text, "x"), SendResult::ok);
            expect += "\x81\x01x";
        }
    }
    EXPECT_EQ(written, expect);
}

TEST(WebSocketSession, DeflateBothWays) {
    for (bool no_takeover : {false, true}) {
        Session s(with_deflate(no_takeover));
        Compressor client(15, 6, no_takeover);
        std::string text(5000, 'a');
        for (size_t i = 0; i < text.size(); i += 7) text[i] = static_cast<char>('b' + i % 20);
        // One statement each: the client's context must see them in wire order.
        std::string wire = compressed_message(client, Opcode::text, text);
        wire += compressed_message(client, Opcode::text, text, 3);
        wire += client_frame(Opcode::text, "plain");
        auto seen = feed(s, wire, 5);
        ASSERT_EQ(seen.size(), 3u) << seen[0].reason;
        EXPECT_EQ(seen[0].payload, text);
        EXPECT_EQ(seen[1].payload, text);
        EXPECT_EQ(seen[2].payload, "plain");

        ASSERT_EQ(s.send(MessageKind::text, text), SendResult::ok);
        ASSERT_EQ(s.send(MessageKind::text, "tiny"), SendResult::ok); // under min_size: plain
        auto out = server_frames(drain(s));
        ASSERT_EQ(out.size(), 2u);
        EXPECT_TRUE(out[0].header.rsv1);
        EXPECT_LT(out[0].payload.size(), text.size() / 2);
        EXPECT_FALSE(out[1].header.rsv1);
        EXPECT_EQ(out[1].payload, "tiny");
        Decompressor d(15, no_takeover);
        std::string inflated;
        ASSERT_EQ(d.decompress(out[0].payload, true, inflated, 1 << 20), InflateResult::ok);
        EXPECT_EQ(inflated, text);
    }
}

TEST(WebSocketSession, DeflatedFragmentedSend) {
    Session s(with_deflate());
    ASSERT_EQ(s.send(MessageKind::binary, "part one, ", false), SendResult::ok);
    ASSERT_EQ(s.send(MessageKind::binary, "part two"), SendResult::ok);
    auto out = server_frames(drain(s));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_TRUE(out[0].header.rsv1);
    EXPECT_FALSE(out[1].header.rsv1) << "RSV1 only on the first frame";
    Decompressor d(15, false);
    std::string inflated;
    ASSERT_EQ(d.decompress(out[0].payload + out[1].payload, true, inflated, 1000), InflateResult::ok);
    EXPECT_EQ(inflated, "part one, part two");
}

TEST(WebSocketSession, DeflateBombIs1009) {
    SessionConfig c = with_deflate();
    c.max_message = 1 << 20;
    Session s(c);
    Compressor client(15, 1, false);
    auto seen = feed(s, compressed_message(client, Opcode::binary, std::string(16 << 20, '\0')));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::error);
    EXPECT_EQ(seen[0].code, close_code::message_too_big);
    EXPECT_LE(s.memory_used(), (1u << 20) + 512u * 1024) << "the message buffer stopped at the limit";
}

TEST(WebSocketSession, CompressedWithoutNegotiationIs1002) {
    Session s;
    Compressor client(15, 1, false);
    auto seen = feed(s, compressed_message(client, Opcode::text, "hello hello hello"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].code, close_code::protocol_error);
}

TEST(WebSocketSession, CorruptCompressedDataFails) {
    Session s(with_deflate());
    auto seen = feed(s, client_frame(Opcode::binary, "\xff\xff\xff\xff", true, true));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, EventKind::error);
    EXPECT_TRUE(s.should_close());
}

TEST(WebSocketSession, FragmentsDeliveredAsTheyArrive) {
    SessionConfig c;
    c.deliver_fragments = true;
    Session s(c);
    std::string text = std::string(3000, 'x') + "\xe2\x82\xac" + std::string(3000, 'y');
    std::string wire = client_frame(Opcode::text, text.substr(0, 4000), false) + client_frame(Opcode::ping, "p") +
                       client_frame(Opcode::continuation, text.substr(4000));
    auto seen = feed(s, wire, 1000);
    std::string joined;
    size_t pieces = 0;
    bool saw_ping = false;
    for (size_t i = 0; i < seen.size(); ++i) {
        if (seen[i].kind == EventKind::ping) {
            saw_ping = true;
            continue;
        }
        ASSERT_EQ(seen[i].kind, EventKind::fragment);
        EXPECT_EQ(seen[i].message, MessageKind::text);
        EXPECT_EQ(seen[i].fin, i + 1 == seen.size()) << i;
        EXPECT_LE(seen[i].payload.size(), 1000u) << "no more than a read's worth held";
        joined += seen[i].payload;
        ++pieces;
    }
    EXPECT_TRUE(saw_ping);
    EXPECT_GE(pieces, 6u);
    EXPECT_EQ(joined, text);
}

TEST(WebSocketSession, IdleSessionIsSmall) {
    Session s(with_deflate(true));
    Compressor client(15, 6, true);
    std::string big(1 << 20, 'q');
    auto seen = feed(s, compressed_message(client, Opcode::binary, big) + client_frame(Opcode::binary, big));
    ASSERT_EQ(seen.size(), 2u);
    ASSERT_EQ(s.send(MessageKind::binary, big), SendResult::ok);
    drain(s);
    EXPECT_GT(s.memory_used(), big.size());
    s.shrink();
    // What the worker type's 16 KiB per idle connection budget gets from the
    // session: its own size plus what shrink() leaves.
    size_t idle = sizeof(Session) + s.memory_used();
    RecordProperty("idle_session_bytes", static_cast<int>(idle));
    EXPECT_LT(idle, 4096u) << "sizeof " << sizeof(Session) << " + heap " << s.memory_used();
    // Still works after shrinking.
    seen = feed(s, compressed_message(client, Opcode::text, "after the shrink, again and again and again"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].payload, "after the shrink, again and again and again");
}

TEST(WebSocketSession, FreshSessionHoldsNoHeap) {
    Session plain;
    Session deflate(with_deflate());
    EXPECT_EQ(plain.memory_used(), 0u);
    EXPECT_EQ(deflate.memory_used(), 0u) << "zlib streams come on first use";
}
