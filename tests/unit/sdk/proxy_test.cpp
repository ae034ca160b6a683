// tests/unit/sdk/proxy_test.cpp: the PROXY header parser, the IP allow
// lists, the scheme from secure headers and the PeerGate that applies them
// (plugins/sdk: proxy_*.hpp, ip_allow_list.hpp, peer_gate.hpp).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cstddef>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <string_view>

#include "hornet/sdk/detail/ip_allow_list.hpp"
#include "hornet/sdk/peer_gate.hpp"
#include "hornet/sdk/detail/proxy_header.hpp"
#include "hornet/sdk/detail/proxy_settings.hpp"

using namespace hornet::sdk;

namespace {

const std::string kV2Sig("\r\n\r\n\0\r\nQUIT\n", 12);

std::string v2(unsigned char ver_cmd, unsigned char fam, const std::string& addrs) {
    std::string out = kV2Sig;
    out += static_cast<char>(ver_cmd);
    out += static_cast<char>(fam);
    out += static_cast<char>(addrs.size() >> 8);
    out += static_cast<char>(addrs.size() & 0xff);
    return out + addrs;
}

std::string v4_addrs() { return std::string("\xc0\x00\x02\x0a\xc0\x00\x02\x14\x04\xd2\x00\x50", 12); }

ProxyHeader parse(const std::string& s) { return parse_proxy_header({s.data(), s.size()}); }

} // namespace

TEST(ProxyHeader, Version1) {
    const std::string get = "GET / HTTP/1.1\r\n";
    ProxyHeader h = parse("PROXY TCP4 203.0.113.7 198.51.100.1 51234 8080\r\n" + get);
    ASSERT_EQ(h.status, ProxyParse::done);
    EXPECT_EQ(h.consumed, 48u);
    EXPECT_TRUE(h.has_addresses);
    EXPECT_EQ(h.addresses.peer.host(), "203.0.113.7");
    EXPECT_EQ(h.addresses.peer.port(), 51234);
    EXPECT_EQ(h.addresses.local.host(), "198.51.100.1");
    EXPECT_EQ(h.addresses.local.port(), 8080);
    h = parse("PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n");
    ASSERT_EQ(h.status, ProxyParse::done);
    EXPECT_EQ(h.addresses.peer.host(), "2001:db8::7");
    h = parse("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n");
    ASSERT_EQ(h.status, ProxyParse::done);
    EXPECT_FALSE(h.has_addresses);
    EXPECT_EQ(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1").status, ProxyParse::need_more);
    EXPECT_EQ(parse("PRO").status, ProxyParse::need_more);
    for (const char* bad : {"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",
                            "PROXY TCP4 1.2.3.400 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
                            "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n",
                            "PROXY TCP9 a b 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\nGET / HTTP/1.1\r\n",
                            "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "GET / HTTP/1.1\r\n"})
        EXPECT_EQ(parse(bad).status, ProxyParse::error) << bad;
    EXPECT_EQ(parse("PROXY " + std::string(120, 'x')).status, ProxyParse::error); // past 107 bytes
}

TEST(ProxyHeader, Version2) {
    ProxyHeader h = parse(v2(0x21, 0x11, v4_addrs()) + "GET");
    ASSERT_EQ(h.status, ProxyParse::done);
    EXPECT_EQ(h.consumed, 28u);
    EXPECT_EQ(h.addresses.peer.host(), "192.0.2.10");
    EXPECT_EQ(h.addresses.peer.port(), 1234);
    EXPECT_EQ(h.addresses.local.port(), 80);
    h = parse(v2(0x21, 0x11, v4_addrs() + std::string("\x04\x00\x01X", 4))); // a TLV after the addresses
    ASSERT_EQ(h.status, ProxyParse::done);
    EXPECT_EQ(h.consumed, 32u);
    h = parse(v2(0x20, 0x00, "")); // LOCAL
    ASSERT_EQ(h.status, ProxyParse::done);
    EXPECT_FALSE(h.has_addresses);
    EXPECT_FALSE(parse(v2(0x21, 0x31, std::string(216, '\0'))).has_addresses); // unix: keep ours
    const std::string whole = v2(0x21, 0x11, v4_addrs());
    for (size_t n = 1; n < whole.size(); ++n) EXPECT_EQ(parse(whole.substr(0, n)).status, ProxyParse::need_more) << n;
    for (const std::string& bad : {v2(0x31, 0x11, v4_addrs()), v2(0x22, 0x11, v4_addrs()), v2(0x21, 0x12, v4_addrs()),
                                   v2(0x21, 0x11, "1234"), v2(0x21, 0x21, v4_addrs()), v2(0x21, 0x41, v4_addrs()),
                                   v2(0x21, 0x11, std::string(2000, 'x'))})
        EXPECT_EQ(parse(bad).status, ProxyParse::error);
}

TEST(ProxyHeader, LooksLike) {
    const auto look = [](std::string_view s) { return looks_like_proxy_header({s.data(), s.size()}); };
    EXPECT_EQ(look("PROXY TCP4"), ProxyLook::yes);
    EXPECT_EQ(look(kV2Sig), ProxyLook::yes);
    EXPECT_EQ(look("P"), ProxyLook::need_more);
    EXPECT_EQ(look("PROX"), ProxyLook::need_more);
    EXPECT_EQ(look("\r\n\r\n"), ProxyLook::need_more);
    EXPECT_EQ(look("POST / HTTP/1.1"), ProxyLook::no);
    EXPECT_EQ(look("GET"), ProxyLook::no);
    EXPECT_EQ(look("\r\nGET"), ProxyLook::no);
}

TEST(IpAllowList, AddressesAndNetworks) {
    const IpAllowList list = IpAllowList::parse("127.0.0.1, ::1,10.0.0.0/8,192.168.1.0/25, fd00::/8,::ffff:172.16.0.0/108");
    for (std::string_view ok : {"127.0.0.1", "::1", "10.1.2.3", "192.168.1.127", "fd12::1", "::ffff:10.9.9.9",
                                "172.16.1.1", "::ffff:127.0.0.1"})
        EXPECT_TRUE(list.allows(ok)) << ok;
    for (std::string_view no : {"127.0.0.2", "::2", "11.0.0.1", "192.168.1.128", "fe80::1", "172.32.0.1", "", "x"})
        EXPECT_FALSE(list.allows(no)) << no;
    EXPECT_TRUE(IpAllowList::parse("*").allows("203.0.113.9"));
    EXPECT_FALSE(IpAllowList::parse("").allows("127.0.0.1"));
    EXPECT_TRUE(IpAllowList::parse("0.0.0.0/0").allows("203.0.113.9"));
    EXPECT_FALSE(IpAllowList::parse("0.0.0.0/0").allows("::2"));
}

TEST(ProxySettings, SchemeFromSecureHeaders) {
    ProxySettings s;
    s.secure_scheme_headers = {{"X-FORWARDED-PROTO", "https"}, {"X-FORWARDED-SSL", "on"}};
    const auto scheme = [&](std::initializer_list<hornet_header_t> headers) {
        hornet_request_t r{};
        r.headers = headers.begin();
        r.header_count = headers.size();
        return s.scheme_of(r);
    };
    const auto h = [](const char* n, const char* v) { return hornet_header_t{{n, strlen(n)}, {v, strlen(v)}}; };
    EXPECT_EQ(scheme({}).scheme, "");
    EXPECT_EQ(scheme({h("x-forwarded-proto", "https")}).scheme, "https");
    EXPECT_EQ(scheme({h("X-Forwarded-Proto", "http")}).scheme, "http");
    EXPECT_EQ(scheme({h("X-Forwarded-Proto", "HTTPS")}).scheme, "http"); // exact value, as Gunicorn
    EXPECT_EQ(scheme({h("X-Forwarded-Proto", "https"), h("X-Forwarded-Ssl", "on")}).scheme, "https");
    EXPECT_FALSE(scheme({h("X-Forwarded-Proto", "https"), h("X-Forwarded-Ssl", "on")}).conflict);
    EXPECT_TRUE(scheme({h("X-Forwarded-Proto", "https"), h("X-Forwarded-Ssl", "off")}).conflict);
    EXPECT_TRUE(scheme({h("X-Forwarded-Proto", "https"), h("X-Forwarded-Proto", "http")}).conflict);
}

namespace {

// A context with only the proxy fields set (and a full-size head, so HORNET_HAS says yes).
struct ProxyContext {
    hornet_header_t secure[1] = {{{"X-Forwarded-Proto", 17}, {"https", 5}}};
    hornet_worker_ctx_t ctx{};
    explicit ProxyContext(bool proxy_protocol) {
        ctx.head = HORNET_HEAD_INIT(hornet_worker_ctx_t);
        ctx.forwarded_allow_ips = {"127.0.0.1", 9};
        ctx.secure_scheme_headers = secure;
        ctx.secure_scheme_header_count = 1;
        ctx.proxy_protocol = proxy_protocol ? 1 : 0;
        ctx.proxy_allow_ips = {"127.0.0.1,::1", 13};
    }
};

ConnectionAddresses from(const char* ip, uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    inet_pton(AF_INET, ip, &sa.sin_addr);
    ConnectionAddresses a;
    a.peer = a.local = SocketAddress::from(reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    return a;
}

HeadResult gate_parse(const PeerGate& gate, PeerState& peer, ConnectionAddresses& addresses, std::string_view bytes,
                      RequestParser& parser) {
    InputBuffer input;
    auto space = input.prepare(bytes.size());
    std::memcpy(space.data(), bytes.data(), bytes.size());
    input.commit(bytes.size());
    gate.judge(peer, addresses.peer);
    return gate.parse_head(peer, parser, input, addresses);
}

} // namespace

TEST(PeerGate, ProxyHeaderFromTrustedPeersOnly) {
    ProxyContext pc(true);
    const PeerGate gate(&pc.ctx);
    const std::string get = "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\n\r\n";
    {
        PeerState peer;
        ConnectionAddresses a = from("127.0.0.1", 40000);
        RequestParser parser;
        const std::string bytes = "PROXY TCP4 203.0.113.7 198.51.100.1 51234 8080\r\n" + get;
        ASSERT_EQ(gate_parse(gate, peer, a, bytes, parser).status, ParseStatus::done);
        EXPECT_EQ(a.peer.host(), "203.0.113.7");
        EXPECT_EQ(peer.check, PeerCheck::done);
        EXPECT_TRUE(peer.trusts_forwarded); // judged by the socket's peer, the balancer
    }
    {
        PeerState peer;
        ConnectionAddresses a = from("127.0.0.1", 40000);
        RequestParser parser;
        EXPECT_EQ(gate_parse(gate, peer, a, get, parser).http_status, 400); // a proxy must send it
    }
    {
        PeerState peer;
        ConnectionAddresses a = from("192.0.2.9", 40000);
        RequestParser parser;
        EXPECT_EQ(gate_parse(gate, peer, a, "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n" + get, parser).http_status, 403);
        PeerState plain;
        ASSERT_EQ(gate_parse(gate, plain, a, get, parser).status, ParseStatus::done);
        EXPECT_FALSE(plain.trusts_forwarded);
        EXPECT_EQ(a.peer.host(), "192.0.2.9");
    }
}

TEST(PeerGate, WithoutProxyProtocolTheBytesAreHttp) {
    ProxyContext pc(false);
    const PeerGate gate(&pc.ctx);
    PeerState peer;
    ConnectionAddresses a = from("127.0.0.1", 40000);
    RequestParser parser;
    const std::string bytes = "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\n\r\n";
    ASSERT_EQ(gate_parse(gate, peer, a, bytes, parser).status, ParseStatus::done);
    parser.resolve(bytes.data());
    hornet_request_t r{};
    parser.fill(r);
    r.scheme = {"http", 4};
    EXPECT_EQ(gate.set_scheme(peer, r), 0);
    EXPECT_EQ(std::string_view(r.scheme.ptr, r.scheme.len), "https");
    hornet_worker_ctx_t old{}; // a 1.0 host: no proxy fields
    old.head = HORNET_HEAD_INIT(hornet_worker_ctx_t);
    old.head.struct_size = offsetof(hornet_worker_ctx_t, provide_extension);
    const PeerGate plain(&old);
    PeerState p2;
    plain.judge(p2, a.peer);
    EXPECT_FALSE(p2.trusts_forwarded);
    EXPECT_EQ(p2.check, PeerCheck::done);
}
