// tests/unit/sdk/websocket_handshake_test.cpp: the opening handshake's
// verdicts (RFC 6455 §4.2) and the extension grammar and permessage-deflate
// negotiation (RFC 7692 §7) it hands the app.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hornet/sdk/websocket/handshake.hpp"

using namespace hornet::sdk::websocket;

namespace {

// Owns a request's headers; views into it as the worker types give them.
struct Request {
    std::string method = "GET";
    int version = 11;
    std::vector<std::pair<std::string, std::string>> fields = {
        {"Host", "example.com"},
        {"Upgrade", "websocket"},
        {"Connection", "Upgrade"},
        {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
        {"Sec-WebSocket-Version", "13"},
    };
    std::vector<hornet_header_t> headers;

    Request& set(const std::string& name, const std::string& value) {
        for (auto& f : fields)
            if (f.first == name) return f.second = value, *this;
        fields.emplace_back(name, value);
        return *this;
    }
    Request& add(const std::string& name, const std::string& value) {
        fields.emplace_back(name, value);
        return *this;
    }
    Request& drop(const std::string& name) {
        std::erase_if(fields, [&](const auto& f) { return f.first == name; });
        return *this;
    }
    Handshake inspect() {
        headers.clear();
        for (const auto& f : fields)
            headers.push_back({{f.first.data(), f.first.size()}, {f.second.data(), f.second.size()}});
        return inspect_handshake({method, version, headers});
    }
};

} // namespace

TEST(WebSocketHandshake, AcceptsTheRfcExample) {
    Request r;
    Handshake h = r.inspect();
    ASSERT_EQ(h.verdict, HandshakeVerdict::accept) << h.reason;
    EXPECT_EQ(h.status, 101);
    EXPECT_EQ(h.accept(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); // RFC 6455 §1.3
    auto headers = response_headers(h, "", std::nullopt);
    ASSERT_EQ(headers.size(), 3u);
    EXPECT_EQ(headers[0].name, "Upgrade");
    EXPECT_EQ(headers[2].value, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, PlainHttpIsNotWebSocket) {
    Request r;
    r.drop("Upgrade").drop("Sec-WebSocket-Key").drop("Sec-WebSocket-Version");
    EXPECT_EQ(r.inspect().verdict, HandshakeVerdict::not_websocket);
    r.set("Upgrade", "h2c");
    EXPECT_EQ(r.inspect().verdict, HandshakeVerdict::not_websocket);
}

TEST(WebSocketHandshake, TokensAreCaseInsensitiveInCommaLists) {
    Request r;
    r.set("upgrade", "WebSocket").drop("Upgrade").drop("Connection").set("connection", "keep-alive, UPGRADE");
    EXPECT_EQ(r.inspect().verdict, HandshakeVerdict::accept);
    Request s;
    s.set("Connection", "keep-alive").add("Connection", "Upgrade").set("Upgrade", "foo/2, websocket");
    EXPECT_EQ(s.inspect().verdict, HandshakeVerdict::accept);
}

TEST(WebSocketHandshake, RefusalsAre400) {
    struct Case {
        const char* what;
        void (*change)(Request&);
    } cases[] = {
        {"POST", [](Request& r) { r.method = "POST"; }},
        {"HTTP/1.0", [](Request& r) { r.version = 10; }},
        {"no Upgrade", [](Request& r) { r.drop("Upgrade"); }},
        {"Upgrade other", [](Request& r) { r.set("Upgrade", "websockets"); }},
        {"no Connection", [](Request& r) { r.drop("Connection"); }},
        {"Connection keep-alive", [](Request& r) { r.set("Connection", "keep-alive"); }},
        {"Connection upgraded", [](Request& r) { r.set("Connection", "upgraded"); }},
        {"no key", [](Request& r) { r.drop("Sec-WebSocket-Key"); }},
        {"short key", [](Request& r) { r.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZQ=="); }},
        {"long key", [](Request& r) { r.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZSE="); }},
        {"not base64", [](Request& r) { r.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j*Q=="); }},
        {"no padding", [](Request& r) { r.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQAA"); }},
        {"two keys", [](Request& r) { r.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="); }},
        {"no version", [](Request& r) { r.drop("Sec-WebSocket-Version"); }},
        {"bad protocol", [](Request& r) { r.set("Sec-WebSocket-Protocol", "chat, a b"); }},
        {"bad extensions", [](Request& r) { r.set("Sec-WebSocket-Extensions", "permessage-deflate; =1"); }},
    };
    for (const auto& c : cases) {
        Request r;
        c.change(r);
        Handshake h = r.inspect();
        EXPECT_EQ(h.verdict, HandshakeVerdict::refuse) << c.what;
        EXPECT_EQ(h.status, 400) << c.what;
        EXPECT_STRNE(h.reason, "") << c.what;
        EXPECT_TRUE(refusal_headers(h).empty()) << c.what;
    }
}

TEST(WebSocketHandshake, WrongVersionIs426With13) {
    for (const char* v : {"8", "12", "14", "13, 8", "abc"}) {
        Request r;
        r.set("Sec-WebSocket-Version", v);
        Handshake h = r.inspect();
        EXPECT_EQ(h.verdict, HandshakeVerdict::refuse) << v;
        EXPECT_EQ(h.status, 426) << v;
        auto extra = refusal_headers(h);
        ASSERT_EQ(extra.size(), 1u);
        EXPECT_EQ(extra[0].name, "Sec-WebSocket-Version");
        EXPECT_EQ(extra[0].value, "13");
    }
}

TEST(WebSocketHandshake, SubprotocolsInOrderAcrossHeaders) {
    Request r;
    r.set("Sec-WebSocket-Protocol", "chat, , superchat").add("sec-websocket-protocol", "v2.json");
    Handshake h = r.inspect();
    ASSERT_EQ(h.verdict, HandshakeVerdict::accept);
    ASSERT_EQ(h.subprotocols.size(), 3u);
    EXPECT_EQ(h.subprotocols[0], "chat");
    EXPECT_EQ(h.subprotocols[1], "superchat");
    EXPECT_EQ(h.subprotocols[2], "v2.json");
    EXPECT_TRUE(h.offers_subprotocol("superchat"));
    EXPECT_FALSE(h.offers_subprotocol("Chat"));
    auto headers = response_headers(h, "chat", std::nullopt);
    ASSERT_EQ(headers.size(), 4u);
    EXPECT_EQ(headers[3].name, "Sec-WebSocket-Protocol");
    EXPECT_EQ(headers[3].value, "chat");
}

TEST(WebSocketHandshake, ExtensionsParsedWithParams) {
    Request r;
    r.set("Sec-WebSocket-Extensions",
          "permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=\"10\"")
        .add("Sec-WebSocket-Extensions", "x-webkit-deflate-frame");
    Handshake h = r.inspect();
    ASSERT_EQ(h.verdict, HandshakeVerdict::accept);
    ASSERT_EQ(h.extensions.size(), 3u);
    EXPECT_EQ(h.extensions[0].name, "permessage-deflate");
    ASSERT_EQ(h.extensions[0].params.size(), 1u);
    EXPECT_EQ(h.extensions[0].params[0].name, "client_max_window_bits");
    EXPECT_FALSE(h.extensions[0].params[0].has_value);
    EXPECT_EQ(h.extensions[1].params[0].value, "10");
    EXPECT_EQ(h.extensions[2].name, "x-webkit-deflate-frame");
    ASSERT_EQ(h.deflate_offers.size(), 2u);
    EXPECT_TRUE(h.deflate_offers[0].client_max_window_bits);
    EXPECT_EQ(h.deflate_offers[0].client_max_window_bits_value, 0);
    EXPECT_EQ(h.deflate_offers[1].server_max_window_bits, 10);
}

TEST(WebSocketExtensions, Grammar) {
    std::vector<ExtensionOffer> out;
    EXPECT_TRUE(parse_extensions("", out));
    EXPECT_TRUE(parse_extensions(" a ,, b ; x = 1 ;y;z=\"q\" ", out));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].name, "b");
    ASSERT_EQ(out[1].params.size(), 3u);
    EXPECT_EQ(out[1].params[0].value, "1");
    EXPECT_FALSE(out[1].params[1].has_value);
    EXPECT_EQ(out[1].params[2].value, "q");
    for (const char* bad : {";a", "a;", "a; =1", "a; x=", "a b", "a; x=\"1", "a; x=\"\\1\"", "a; x=1 2", "a@"}) {
        std::vector<ExtensionOffer> none;
        EXPECT_FALSE(parse_extensions(bad, none)) << bad;
        EXPECT_TRUE(none.empty()) << bad;
    }
}

namespace {

std::optional<DeflateOffer> offer(const char* text) {
    std::vector<ExtensionOffer> offers;
    EXPECT_TRUE(parse_extensions(text, offers)) << text;
    EXPECT_EQ(offers.size(), 1u) << text;
    return offers.empty() ? std::nullopt : parse_deflate_offer(offers[0]);
}

} // namespace

TEST(WebSocketExtensions, DeflateOfferParams) {
    auto o = offer("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                   "server_max_window_bits=12; client_max_window_bits=9");
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->server_no_context_takeover);
    EXPECT_TRUE(o->client_no_context_takeover);
    EXPECT_EQ(o->server_max_window_bits, 12);
    EXPECT_TRUE(o->client_max_window_bits);
    EXPECT_EQ(o->client_max_window_bits_value, 9);
    auto bare = offer("permessage-deflate");
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->client_max_window_bits);
    EXPECT_EQ(bare->server_max_window_bits, 0);
}

TEST(WebSocketExtensions, MalformedDeflateOffersAreDeclined) {
    for (const char* bad : {
             "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
             "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
             "permessage-deflate; server_max_window_bits",
             "permessage-deflate; server_max_window_bits=7",
             "permessage-deflate; server_max_window_bits=16",
             "permessage-deflate; server_max_window_bits=010",
             "permessage-deflate; client_max_window_bits=+9",
             "permessage-deflate; client_max_window_bits=abc",
             "permessage-deflate; server_no_context_takeover=1",
             "permessage-deflate; unknown_param",
             "other-extension",
         })
        EXPECT_FALSE(offer(bad)) << bad;
}

TEST(WebSocketExtensions, NegotiationFollowsTheOffer) {
    DeflatePolicy policy;
    policy.enabled = true;
    std::vector<DeflateOffer> offers = {*offer("permessage-deflate; client_max_window_bits")};
    auto p = negotiate_deflate(offers, policy);
    ASSERT_TRUE(p);
    EXPECT_EQ(deflate_response(*p), "permessage-deflate");

    policy.enabled = false;
    EXPECT_FALSE(negotiate_deflate(offers, policy));
    policy.enabled = true;

    // The client lets us limit its window; the policy does.
    policy.client_max_window_bits = 10;
    p = negotiate_deflate(offers, policy);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->client_max_window_bits, 10);
    EXPECT_EQ(deflate_response(*p), "permessage-deflate; client_max_window_bits=10");

    // Without client_max_window_bits in the offer, the answer may not carry it.
    offers = {*offer("permessage-deflate")};
    p = negotiate_deflate(offers, policy);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->client_max_window_bits, 15);
    EXPECT_EQ(deflate_response(*p), "permessage-deflate");

    // server_no_context_takeover offered: it must be in the answer; the
    // server's window is at most what was offered, and said even at 15.
    offers = {*offer("permessage-deflate; server_no_context_takeover; server_max_window_bits=11")};
    p = negotiate_deflate(offers, policy);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->server_no_context_takeover);
    EXPECT_EQ(p->server_max_window_bits, 11);
    EXPECT_EQ(deflate_response(*p), "permessage-deflate; server_no_context_takeover; server_max_window_bits=11");
    offers = {*offer("permessage-deflate; server_max_window_bits=15")};
    EXPECT_EQ(deflate_response(*negotiate_deflate(offers, policy)), "permessage-deflate; server_max_window_bits=15");

    // The policy asks for no context takeover on both sides by itself.
    policy.server_no_context_takeover = true;
    policy.client_no_context_takeover = true;
    offers = {*offer("permessage-deflate")};
    EXPECT_EQ(deflate_response(*negotiate_deflate(offers, policy)),
              "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
}

TEST(WebSocketExtensions, EightBitServerWindowFallsToTheNextOffer) {
    DeflatePolicy policy;
    policy.enabled = true;
    std::vector<DeflateOffer> offers = {*offer("permessage-deflate; server_max_window_bits=8"),
                                        *offer("permessage-deflate; server_max_window_bits=9")};
    auto p = negotiate_deflate(offers, policy);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->server_max_window_bits, 9);
    offers.pop_back();
    EXPECT_FALSE(negotiate_deflate(offers, policy));
}
