// The C tables of hornet.upgrade/1 and hornet.websocket/1: each shim checks
// its arguments, finds the Exchange (and its WebSocketChannel) and keeps
// exceptions on this side of the ABI. accept() is the handshake: the
// codec's verdict, the app's choices, the 101, and the channel.
#include "hornet/sdk/upgrade_extensions.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "hornet/sdk/exchange.hpp"
#include "hornet/sdk/websocket/handshake.hpp"
#include "hornet/support/abi_guard.hpp"
#include "hornet/support/log.hpp"
#include "websocket_channel.hpp"

namespace hornet::sdk {
namespace ws = websocket;

// ---- Exchange's share (here, where the channel is a complete type) ------------------

Exchange::~Exchange() { delete websocket_; }

void Exchange::adopt_websocket(WebSocketChannel* channel) {
    delete websocket_;
    websocket_ = channel;
}

void Exchange::drop_websocket() { adopt_websocket(nullptr); }

void Exchange::going_away() {
    if (websocket_) websocket_->going_away();
}

namespace {

Exchange* self(hornet_exchange_t* x) { return Exchange::from(x); }
const hornet_host_t* host_of(hornet_exchange_t* x) { return self(x)->host(); }
std::string_view view(hornet_str_t s) { return {s.ptr ? s.ptr : "", s.len}; }

std::vector<hornet_header_t> c_headers(const std::vector<ws::HeaderPair>& pairs) {
    std::vector<hornet_header_t> out;
    out.reserve(pairs.size());
    for (const ws::HeaderPair& p : pairs) out.push_back({{p.name.data(), p.name.size()}, {p.value.data(), p.value.size()}});
    return out;
}

ws::Handshake inspect(Exchange& e) { return ws::inspect_handshake(ws::HandshakeRequest::from(*e.request())); }

// ---- hornet.upgrade/1 ---------------------------------------------------------------

int upgrade_accept(hornet_exchange_t* x, const hornet_header_t* headers, size_t count) {
    if (!x || (!headers && count)) return HORNET_EINVAL;
    return support::guarded(host_of(x), "upgrade accept()", int{HORNET_EINTERNAL},
                            [&] { return self(x)->upgrade(headers, count); });
}

const hornet_upgrade_ext_t kUpgrade = {
    .head = HORNET_HEAD_INIT(hornet_upgrade_ext_t),
    .accept = upgrade_accept,
};

// ---- hornet.websocket/1 -------------------------------------------------------------

int ws_offered(hornet_exchange_t* x) {
    if (!x) return HORNET_EINVAL;
    return support::guarded(host_of(x), "websocket offered()", int{HORNET_EINTERNAL}, [&] {
        switch (inspect(*self(x)).verdict) {
        case ws::HandshakeVerdict::accept: return int{HORNET_WS_VALID};
        case ws::HandshakeVerdict::refuse: return int{HORNET_WS_INVALID};
        default: return int{HORNET_WS_NONE};
        }
    });
}

int ws_subprotocol_at(hornet_exchange_t* x, size_t index, hornet_str_t* out) {
    if (!x || !out) return HORNET_EINVAL;
    return support::guarded(host_of(x), "websocket subprotocol_at()", int{HORNET_EINTERNAL}, [&] {
        const ws::Handshake h = inspect(*self(x));
        if (index >= h.subprotocols.size()) return int{HORNET_ENOENT};
        *out = {h.subprotocols[index].data(), h.subprotocols[index].size()};
        return int{HORNET_OK};
    });
}

// The handshake's refusal, as the app's response (the app still finishes).
int refuse(Exchange& e, const ws::Handshake& h) {
    std::vector<ws::HeaderPair> pairs = ws::refusal_headers(h);
    const std::string body = std::string(h.reason) + "\n";
    pairs.push_back({"Content-Type", "text/plain; charset=utf-8"});
    pairs.push_back({"Content-Length", std::to_string(body.size())});
    const std::vector<hornet_header_t> headers = c_headers(pairs);
    if (e.start(h.status, headers.data(), headers.size()) == HORNET_OK) e.write(body.data(), body.size());
    return HORNET_EINVAL;
}

int accept_checked(Exchange& e, const hornet_ws_accept_t& opts) {
    if (e.websocket()) return HORNET_EINVAL;
    const ws::Handshake h = inspect(e);
    if (h.verdict == ws::HandshakeVerdict::not_websocket) return HORNET_EINVAL;
    if (h.verdict == ws::HandshakeVerdict::refuse) return refuse(e, h);
    const std::string_view sub = view(opts.subprotocol);
    if (!sub.empty() && !h.offers_subprotocol(sub)) {
        support::logf(e.host(), HORNET_LOG_ERROR, "websocket accept(): the client did not offer subprotocol %.*s",
                      static_cast<int>(sub.size()), sub.data());
        return HORNET_EINVAL;
    }
    ws::DeflatePolicy policy;
    policy.enabled = (opts.flags & HORNET_WS_ALLOW_DEFLATE) != 0;
    const std::optional<ws::DeflateParams> deflate = ws::negotiate_deflate(h.deflate_offers, policy);
    const std::vector<ws::HeaderPair> owned = ws::response_headers(h, sub, deflate);
    std::vector<hornet_header_t> headers = c_headers(owned);
    for (size_t i = 0; i < opts.header_count; ++i) headers.push_back(opts.headers[i]);
    const WebSocketTimes times = WebSocketTimes::from(e.worker_ctx());
    ws::SessionConfig config;
    config.max_message = opts.max_message ? opts.max_message : times.max_message;
    config.deliver_fragments = (opts.flags & HORNET_WS_FRAGMENTS) != 0;
    config.deflate = deflate;
    // The channel first: once the client has the 101, a chat room's sender
    // on another thread must find it (under sync and gthread the 101 is on
    // the wire before upgrade() returns).
    auto* channel = new WebSocketChannel(e, config, times);
    e.adopt_websocket(channel);
    std::unique_lock writes = channel->hold_for_101(); // a sender's frames go after the 101
    if (const int rc = e.upgrade(headers.data(), headers.size()); rc != HORNET_OK) {
        // Kept, not deleted: a sender on another thread may hold it already.
        channel->refuse();
        return rc;
    }
    channel->open();
    return HORNET_OK;
}

int ws_accept(hornet_exchange_t* x, const hornet_ws_accept_t* opts) {
    if (!x || !opts || opts->head.magic != HORNET_MAGIC || (!opts->headers && opts->header_count)) return HORNET_EINVAL;
    hornet_ws_accept_t o{};
    const size_t n = std::min<size_t>(opts->head.struct_size, sizeof o);
    std::memcpy(&o, opts, n); // a smaller (older) struct leaves the rest zero
    return support::guarded(host_of(x), "websocket accept()", int{HORNET_EINTERNAL},
                            [&] { return accept_checked(*self(x), o); });
}

template <class Fn>
int with_channel(hornet_exchange_t* x, const char* what, Fn&& fn) {
    if (!x) return HORNET_EINVAL;
    return support::guarded(host_of(x), what, int{HORNET_EINTERNAL}, [&] {
        WebSocketChannel* c = self(x)->websocket();
        return c ? fn(*c) : int{HORNET_ECLOSED};
    });
}

int ws_recv(hornet_exchange_t* x, hornet_ws_message_t* msg) {
    if (!msg) return HORNET_EINVAL;
    return with_channel(x, "websocket recv()", [&](WebSocketChannel& c) { return c.recv(msg); });
}

int ws_recv_async(hornet_exchange_t* x, hornet_ws_message_t* msg, hornet_done_fn done, void* ud) {
    if (!msg || !done) return HORNET_EINVAL;
    return with_channel(x, "websocket recv_async()", [&](WebSocketChannel& c) { return c.recv_async(msg, done, ud); });
}

int ws_send(hornet_exchange_t* x, int kind, const void* data, size_t len, int fin) {
    if (!data && len) return HORNET_EINVAL;
    return with_channel(x, "websocket send()", [&](WebSocketChannel& c) { return c.send(kind, data, len, fin != 0); });
}

int ws_send_async(hornet_exchange_t* x, int kind, const void* data, size_t len, int fin, hornet_done_fn done,
                  void* ud) {
    if ((!data && len) || !done) return HORNET_EINVAL;
    return with_channel(x, "websocket send_async()",
                        [&](WebSocketChannel& c) { return c.send_async(kind, data, len, fin != 0, done, ud); });
}

int ws_close(hornet_exchange_t* x, uint16_t code, hornet_str_t reason) {
    if (!reason.ptr && reason.len) return HORNET_EINVAL;
    return with_channel(x, "websocket close()", [&](WebSocketChannel& c) { return c.close(code, view(reason)); });
}

const hornet_websocket_ext_t kWebSocket = {
    .head = HORNET_HEAD_INIT(hornet_websocket_ext_t),
    .offered = ws_offered,
    .subprotocol_at = ws_subprotocol_at,
    .accept = ws_accept,
    .recv = ws_recv,
    .recv_async = ws_recv_async,
    .send = ws_send,
    .send_async = ws_send_async,
    .close = ws_close,
};

} // namespace

const hornet_upgrade_ext_t* upgrade_extension() { return &kUpgrade; }
const hornet_websocket_ext_t* websocket_extension() { return &kWebSocket; }

void provide_upgrade_extensions(const hornet_worker_ctx_t* ctx) {
    if (!ctx || !HORNET_HAS(ctx, hornet_worker_ctx_t, provide_extension) || !ctx->provide_extension) return;
    ctx->provide_extension(ctx, HORNET_EXT_UPGRADE, &kUpgrade);
    ctx->provide_extension(ctx, HORNET_EXT_WEBSOCKET, &kWebSocket);
}

} // namespace hornet::sdk
