// apps/wsecho: WebSocket echo and a chat room, and a raw upgraded echo, on
// the ABI alone (hornet/ext.h: "hornet.websocket/1", "hornet.upgrade/1").
//
//   GET /chat  (WebSocket)      every message goes to every member of the
//                               worker's room (the sender too)
//   GET /...   (WebSocket)      every message comes back as it was sent;
//                               subprotocol "echo" is chosen when offered
//   GET /raw   (Upgrade: echo)  101, then every byte comes back until EOF,
//                               or until the worker drains (the read says
//                               HORNET_ESHUTDOWN): then what was echoed goes
//                               out and the stream ends
//   anything else               200 with a line saying how to connect
//
// One style per worker type, as an app would: on an event loop
// (HORNET_QUERY_ASYNC, the async worker) it holds no thread (recv_async,
// send_async, read_async chained through callbacks, handle() returns
// PENDING); elsewhere (sync, gthread) handle() loops on blocking recv and
// send and holds its thread. Built against the installed headers only.
//
// Built with WSECHO_BLOCKING (tests/fixtures' wsecho_blocking) it is the same
// app without NONBLOCKING, always in the thread style: an event-loop worker
// type then serves its WebSockets on its pool, a thread each.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>

#include "hornet/ext.h"

namespace {

const hornet_host_t* g_host = nullptr;

hornet_str_t str(const char* s) { return {s, std::strlen(s)}; }

// A struct of the ABI with its head filled, the rest zero.
template <class T>
T with_head() {
    T t{};
    t.head = hornet_head_t HORNET_HEAD_INIT(T);
    return t;
}

bool equals(hornet_str_t a, const char* b) { return a.len == std::strlen(b) && std::memcmp(a.ptr, b, a.len) == 0; }

// One WebSocket (or raw stream) this process serves.
struct Conn {
    hornet_exchange_t* x = nullptr;
    const hornet_exchange_ops_t* ops = nullptr;
    const hornet_websocket_ext_t* ws = nullptr;
    hornet_ws_message_t msg{};
    bool in_room = false;
    Conn* prev = nullptr;
    Conn* next = nullptr;
    std::unique_ptr<char[]> raw; // raw echo only: one read's bytes (an idle WebSocket holds none)
};

constexpr size_t kRawBytes = 16384;

// The worker's chat room. A sender holds the lock while it sends to every
// member, so a member cannot finish (and free its exchange) meanwhile.
struct Room {
    std::mutex mu;
    Conn* head = nullptr;

    void join(Conn* c) {
        std::lock_guard lock(mu);
        c->next = head;
        if (head) head->prev = c;
        head = c;
        c->in_room = true;
    }
    void leave(Conn* c) {
        std::lock_guard lock(mu);
        if (!c->in_room) return;
        if (c->prev) c->prev->next = c->next;
        else head = c->next;
        if (c->next) c->next->prev = c->prev;
        c->in_room = false;
    }
    // On a loop a member whose output is full misses the message (its peer
    // reads too slowly); a blocking sender waits for it.
    void broadcast(const hornet_ws_message_t& m) {
        std::lock_guard lock(mu);
        for (Conn* c = head; c; c = c->next) c->ws->send(c->x, m.kind, m.data.ptr, m.data.len, m.fin);
    }
};

Room g_room;

#ifdef WSECHO_BLOCKING
constexpr uint32_t kFlags = HORNET_APP_THREAD_SAFE;
bool on_loop() { return false; }
#else
constexpr uint32_t kFlags = HORNET_APP_THREAD_SAFE | HORNET_APP_NONBLOCKING;
bool on_loop() { return g_host && g_host->query(g_host, HORNET_QUERY_ASYNC) == 1; }
#endif

void end(Conn* c) {
    g_room.leave(c);
    c->ops->finish(c->x, 0);
    delete c;
}

// ---- WebSocket, on a loop ------------------------------------------------------------

void on_message(void* ud, ptrdiff_t rc);

void receive_next(Conn* c) {
    c->msg = with_head<hornet_ws_message_t>();
    if (c->ws->recv_async(c->x, &c->msg, on_message, c) != HORNET_OK) end(c);
}

void on_sent(void* ud, ptrdiff_t rc) {
    Conn* c = static_cast<Conn*>(ud);
    if (rc < 0) return end(c);
    receive_next(c);
}

void on_message(void* ud, ptrdiff_t rc) {
    Conn* c = static_cast<Conn*>(ud);
    if (rc < 0 || c->msg.kind == HORNET_WS_CLOSE) return end(c);
    if (c->in_room) {
        g_room.broadcast(c->msg);
        return receive_next(c);
    }
    const hornet_ws_message_t& m = c->msg;
    if (c->ws->send_async(c->x, m.kind, m.data.ptr, m.data.len, m.fin, on_sent, c) != HORNET_OK) end(c);
}

// ---- WebSocket, on a thread ------------------------------------------------------------

void serve_blocking(Conn* c) {
    for (;;) {
        c->msg = with_head<hornet_ws_message_t>();
        if (c->ws->recv(c->x, &c->msg) != HORNET_OK || c->msg.kind == HORNET_WS_CLOSE) break;
        const hornet_ws_message_t& m = c->msg;
        if (c->in_room) g_room.broadcast(m);
        else if (c->ws->send(c->x, m.kind, m.data.ptr, m.data.len, m.fin) != HORNET_OK) break;
    }
    end(c);
}

int serve_websocket(hornet_exchange_t* x, const hornet_exchange_ops_t* ops, const hornet_websocket_ext_t* ws,
                    bool chat) {
    hornet_ws_accept_t opts = with_head<hornet_ws_accept_t>();
    opts.flags = HORNET_WS_ALLOW_DEFLATE;
    hornet_str_t offered{};
    for (size_t i = 0; ws->subprotocol_at(x, i, &offered) == HORNET_OK; ++i)
        if (equals(offered, "echo")) opts.subprotocol = offered;
    Conn* c = new (std::nothrow) Conn;
    if (!c) {
        ops->finish(x, HORNET_ENOMEM);
        return HORNET_DONE;
    }
    c->x = x;
    c->ops = ops;
    c->ws = ws;
    // A member joins before its 101 goes: once its client sees the 101, the
    // room's next message reaches it (a send before accept() is refused).
    if (chat) g_room.join(c);
    if (ws->accept(x, &opts) != HORNET_OK) { // the refusal is answered
        end(c);
        return HORNET_DONE;
    }
    if (!on_loop()) {
        serve_blocking(c);
        return HORNET_DONE;
    }
    receive_next(c);
    return HORNET_PENDING;
}

// ---- raw upgrade -------------------------------------------------------------------------

void on_raw_read(void* ud, ptrdiff_t rc);

void on_raw_written(void* ud, ptrdiff_t rc) {
    Conn* c = static_cast<Conn*>(ud);
    if (rc < 0 || c->ops->read_async(c->x, c->raw.get(), kRawBytes, on_raw_read, c) != HORNET_OK) end(c);
}

void on_raw_read(void* ud, ptrdiff_t rc) {
    Conn* c = static_cast<Conn*>(ud);
    // rc 0: the client closed its side; HORNET_ESHUTDOWN: the worker drains.
    if (rc <= 0 || c->ops->write_async(c->x, c->raw.get(), static_cast<size_t>(rc), on_raw_written, c) != HORNET_OK)
        end(c);
}

int serve_raw(hornet_exchange_t* x, const hornet_exchange_ops_t* ops, const hornet_upgrade_ext_t* up) {
    const hornet_header_t headers[] = {{str("Upgrade"), str("echo")}};
    if (up->accept(x, headers, 1) != HORNET_OK) {
        ops->finish(x, HORNET_EINVAL);
        return HORNET_DONE;
    }
    Conn* c = new (std::nothrow) Conn;
    if (c) c->raw.reset(new (std::nothrow) char[kRawBytes]);
    if (!c || !c->raw) {
        delete c;
        ops->finish(x, HORNET_ENOMEM);
        return HORNET_DONE;
    }
    c->x = x;
    c->ops = ops;
    if (on_loop()) {
        on_raw_written(c, 0);
        return HORNET_PENDING;
    }
    for (;;) {
        const ptrdiff_t n = ops->read(x, c->raw.get(), kRawBytes);
        if (n <= 0 || ops->write(x, c->raw.get(), static_cast<size_t>(n)) != HORNET_OK) break;
    }
    end(c);
    return HORNET_DONE;
}

// ---- the app --------------------------------------------------------------------------------

int answer(hornet_exchange_t* x, const hornet_exchange_ops_t* ops, int status, const char* text) {
    char length[24];
    std::snprintf(length, sizeof length, "%zu", std::strlen(text));
    const hornet_header_t headers[] = {{str("Content-Type"), str("text/plain; charset=utf-8")},
                                       {str("Content-Length"), str(length)}};
    ops->start(x, status, headers, 2);
    ops->write(x, text, std::strlen(text));
    ops->finish(x, 0);
    return HORNET_DONE;
}

int wsecho_create(const hornet_host_t* host, void** instance, char*, size_t) {
    g_host = host;
    *instance = nullptr;
    return HORNET_OK;
}

void wsecho_destroy(void*) {}

int wsecho_handle(void*, hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    const hornet_request_t* r = ops->request(x);
    const auto* ws = static_cast<const hornet_websocket_ext_t*>(g_host->get_extension(g_host, HORNET_EXT_WEBSOCKET));
    const auto* up = static_cast<const hornet_upgrade_ext_t*>(g_host->get_extension(g_host, HORNET_EXT_UPGRADE));
    if (!ws || !up) return answer(x, ops, 501, "this worker type offers no WebSocket (hornet.websocket/1)\n");
    if (equals(r->path, "/raw")) {
        hornet_str_t upgrade{};
        if (ops->find_header(x, str("Upgrade"), &upgrade) == HORNET_OK && equals(upgrade, "echo"))
            return serve_raw(x, ops, up);
        return answer(x, ops, 426, "send Upgrade: echo\n");
    }
    if (ws->offered(x) == HORNET_WS_NONE)
        return answer(x, ops, 200, "wsecho: connect with a WebSocket client (/ echoes, /chat broadcasts)\n");
    return serve_websocket(x, ops, ws, equals(r->path, "/chat"));
}

const hornet_app_t kApp = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "wsecho",
    .version = "1.0.0",
    .flags = kFlags,
    .create = wsecho_create,
    .destroy = wsecho_destroy,
    .worker_start = nullptr,
    .worker_exit = nullptr,
    .handle = wsecho_handle,
    .check_config = nullptr,
    .dump_stacks = nullptr,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_app_t* hornet_app_entry(uint32_t host_major, uint32_t) {
    return host_major == HORNET_ABI_MAJOR ? &kApp : nullptr;
}
