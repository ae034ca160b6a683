// tests/unit/sdk/blocking_connection_test.cpp: serve_connection() over a real
// socketpair, with tiny in-test apps and a fake worker context: the exchange
// ops as an app sees them, end to end through the codec.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "hornet/sdk/blocking_connection.hpp"

using namespace hornet::sdk;

namespace {

using Handler = std::function<int(hornet_exchange_t*, const hornet_exchange_ops_t*)>;

// A worker context whose services record what they are told.
struct FakeWorker {
    hornet_limits_t limits{};
    hornet_app_t app{};
    hornet_worker_ctx_t ctx{};
    Handler handler;
    std::atomic<int64_t> requests{0};
    std::atomic<int64_t> connections{0};
    std::mutex mu;
    std::vector<int> logged_statuses;
    std::vector<std::string> logged_lines;
    std::atomic<int> stop_mode{HORNET_STOP_NONE};

    FakeWorker();
};

FakeWorker* g_worker = nullptr;

FakeWorker::FakeWorker() {
    g_worker = this;
    limits.head = HORNET_HEAD_INIT(hornet_limits_t);
    limits.threads = 1;
    limits.timeout_ms = 5000;
    limits.keepalive_ms = 2000; // the config's default; 0 would turn keep-alive off
    limits.limit_request_line = 4094;
    limits.limit_request_fields = 100;
    limits.limit_request_field_size = 8190;
    limits.limit_request_body = UINT64_MAX;
    app.head = HORNET_HEAD_INIT(hornet_app_t);
    app.name = "test";
    app.handle = [](void*, hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        return g_worker->handler(x, ops);
    };
    ctx.head = HORNET_HEAD_INIT(hornet_worker_ctx_t);
    ctx.app = &app;
    ctx.limits = &limits;
    ctx.stop_fd = -1;
    ctx.stop_mode = [](const hornet_worker_ctx_t*) { return g_worker->stop_mode.load(); };
    ctx.heartbeat = [](const hornet_worker_ctx_t*) {};
    ctx.count = [](const hornet_worker_ctx_t*, int counter, int64_t delta) {
        (counter == HORNET_COUNT_REQUESTS ? g_worker->requests : g_worker->connections) += delta;
    };
    ctx.access_log_enabled = 1;
    ctx.access_log = [](const hornet_worker_ctx_t*, const hornet_access_record_t* r) {
        std::lock_guard lock(g_worker->mu);
        g_worker->logged_statuses.push_back(r->status);
        g_worker->logged_lines.emplace_back(r->request_line.ptr, r->request_line.len);
    };
}

hornet_str_t s(const char* c) { return {c, std::char_traits<char>::length(c)}; }

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        data.remove_prefix(static_cast<size_t>(n));
    }
}

// Reads until EOF, or until `until` appears. Neither within 5 s fails the
// test (the server never closed, or never sent it); what came is returned.
std::string receive(int fd, const std::string& until = {}) {
    std::string out;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return out;
        out.append(buf, static_cast<size_t>(n));
        if (!until.empty() && out.find(until) != std::string::npos) return out;
    }
    ADD_FAILURE() << "no " << (until.empty() ? "EOF" : "\"" + until + "\" nor EOF") << " within 5 s; got: " << out;
    return out;
}

// A client socket talking to serve_connection() on a thread.
struct Session {
    int client = -1;
    std::thread server;

    explicit Session(FakeWorker& w, bool keep_alive = false) {
        int sv[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
        ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
        client = sv[1];
        server = std::thread([&w, fd = sv[0], keep_alive] {
            ConnectionAddresses addresses;
            serve_connection(fd, &w.ctx, addresses, keep_alive);
        });
    }
    ~Session() {
        if (client >= 0) ::close(client);
        if (server.joinable()) server.join();
    }
    // The whole conversation: send, read to EOF, hang up.
    std::string talk(const std::string& request) {
        send_all(client, request);
        std::string out = receive(client);
        ::close(client);
        client = -1;
        server.join();
        return out;
    }
};

std::string body_of(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string dechunk(std::string chunked) {
    std::string out;
    for (;;) {
        size_t eol = chunked.find("\r\n");
        size_t n = std::stoul(chunked.substr(0, eol), nullptr, 16);
        if (n == 0) return out;
        out += chunked.substr(eol + 2, n);
        chunked = chunked.substr(eol + 2 + n + 2);
    }
}

int hello(hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    const hornet_header_t hs[] = {{s("Content-Type"), s("text/plain")}, {s("Content-Length"), s("14")}};
    ops->start(x, 200, hs, 2);
    ops->write(x, "Hello, World!\n", 14);
    ops->finish(x, 0);
    return HORNET_DONE;
}

// Echoes the body back, chunked, reading `piece` bytes at a time.
Handler echo(size_t piece) {
    return [piece](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        ops->start(x, 200, nullptr, 0);
        std::string buf(piece, '\0');
        ptrdiff_t n;
        while ((n = ops->read(x, buf.data(), piece)) > 0) ops->write(x, buf.data(), static_cast<size_t>(n));
        ops->finish(x, static_cast<int>(n));
        return HORNET_DONE;
    };
}

} // namespace

TEST(BlockingConnection, HelloAnswersAndCloses) {
    FakeWorker w;
    w.handler = hello;
    const std::string out = Session(w).talk("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
    EXPECT_TRUE(has(out, "Connection: close\r\n"));
    EXPECT_TRUE(has(out, "Content-Length: 14\r\n"));
    EXPECT_EQ(body_of(out), "Hello, World!\n");
    EXPECT_EQ(w.requests, 1);
    EXPECT_EQ(w.connections, 0);
    ASSERT_EQ(w.logged_statuses.size(), 1u);
    EXPECT_EQ(w.logged_statuses[0], 200);
    EXPECT_EQ(w.logged_lines[0], "GET /x HTTP/1.1");
}

TEST(BlockingConnection, RequestViewReachesTheApp) {
    FakeWorker w;
    std::string seen;
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        const hornet_request_t* r = ops->request(x);
        hornet_str_t v{};
        for (hornet_str_t part : {r->method, r->path, r->query, r->scheme}) seen.append(part.ptr, part.len) += '|';
        if (ops->find_header(x, s("x-thing"), &v) == HORNET_OK) seen.append(v.ptr, v.len);
        ops->finish(x, 0);
        return HORNET_DONE;
    };
    Session(w).talk("DELETE /a/b?c=d HTTP/1.1\r\nHost: h\r\nX-Thing: yes\r\n\r\n");
    EXPECT_EQ(seen, "DELETE|/a/b|c=d|http|yes");
}

// ABI 1.5: a thread-per-request exchange cannot watch its client; the op
// is there (the table is 1.5's) and says so, and never calls back.
TEST(BlockingConnection, WatchPeerIsRefusedWithoutACallback) {
    FakeWorker w;
    int rc = HORNET_OK, calls = 0;
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        EXPECT_TRUE(HORNET_HAS(ops, hornet_exchange_ops_t, watch_peer));
        rc = ops->watch_peer(x, [](void* ud, ptrdiff_t) { ++*static_cast<int*>(ud); }, &calls);
        return hello(x, ops);
    };
    const std::string out = Session(w).talk("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(body_of(out), "Hello, World!\n");
    EXPECT_EQ(rc, HORNET_EINVAL);
    EXPECT_EQ(calls, 0);
}

TEST(BlockingConnection, ChunkedUploadIsStreamedThrough) {
    FakeWorker w;
    w.handler = echo(5);
    std::string payload;
    for (int i = 0; i < 2000; ++i) payload += std::to_string(i) + ",";
    std::string req = "POST /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (size_t off = 0; off < payload.size(); off += 777) {
        std::string part = payload.substr(off, 777);
        char line[16];
        snprintf(line, sizeof line, "%zx\r\n", part.size());
        req += line + part + "\r\n";
    }
    req += "0\r\n\r\n";
    const std::string out = Session(w).talk(req);
    ASSERT_TRUE(has(out, "Transfer-Encoding: chunked\r\n")) << out.substr(0, 300);
    EXPECT_EQ(dechunk(body_of(out)), payload);
}

TEST(BlockingConnection, ContinueOnlyWhenTheAppReads) {
    FakeWorker w;
    w.handler = echo(64);
    Session session(w);
    send_all(session.client, "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    EXPECT_EQ(receive(session.client, "\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
    const std::string out = session.talk("hello");
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_EQ(dechunk(body_of(out)), "hello");

    w.handler = hello; // never reads: no 100
    const std::string direct =
        Session(w).talk("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    EXPECT_EQ(direct.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
}

TEST(BlockingConnection, MalformedRequestIs400AndTheAppIsNotCalled) {
    FakeWorker w;
    bool called = false;
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        called = true;
        return hello(x, ops);
    };
    const std::string out = Session(w).talk("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << out;
    EXPECT_TRUE(has(out, "Connection: close\r\n"));
    EXPECT_FALSE(called);
    EXPECT_EQ(w.logged_statuses.at(0), 400);
    EXPECT_EQ(w.logged_lines.at(0), "NOT HTTP AT ALL");
}

TEST(BlockingConnection, LimitsFromTheContext) {
    FakeWorker w;
    w.handler = hello;
    w.limits.limit_request_line = 20;
    EXPECT_EQ(Session(w).talk("GET /" + std::string(50, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n").rfind("HTTP/1.1 414 ", 0), 0u);
    w.limits.limit_request_fields = 2; // Host and Content-Length below: just in
    EXPECT_EQ(Session(w).talk("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n").rfind("HTTP/1.1 431 ", 0), 0u);
    w.limits.limit_request_body = 4;
    EXPECT_EQ(Session(w).talk("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello").rfind("HTTP/1.1 413 ", 0), 0u);
}

TEST(BlockingConnection, ChunkedBodyOverTheLimitIs413) {
    FakeWorker w;
    w.limits.limit_request_body = 4;
    int read_result = 0;
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        char buf[64];
        ptrdiff_t n;
        while ((n = ops->read(x, buf, sizeof buf)) > 0) {}
        read_result = static_cast<int>(n);
        ops->finish(x, read_result);
        return HORNET_DONE;
    };
    const std::string out = Session(w).talk("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n");
    EXPECT_EQ(read_result, HORNET_ETOOBIG);
    EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
}

TEST(BlockingConnection, BadResponseHeaderBecomes500) {
    FakeWorker w;
    int start_result = 0, write_result = 0;
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        const hornet_header_t hs[] = {{s("X-Evil"), s("a\r\nSet-Cookie: x")}};
        start_result = ops->start(x, 200, hs, 1);
        write_result = ops->write(x, "body", 4);
        ops->finish(x, 0);
        return HORNET_DONE;
    };
    const std::string out = Session(w).talk("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(start_result, HORNET_EINVAL);
    EXPECT_EQ(write_result, HORNET_EINVAL);
    EXPECT_EQ(out.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u) << out;
    EXPECT_FALSE(has(out, "Set-Cookie"));
    EXPECT_FALSE(has(out, "body"));
}

TEST(BlockingConnection, BadStatusBecomes500) {
    FakeWorker w;
    w.handler = [](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        ops->start(x, 42, nullptr, 0);
        ops->finish(x, 0);
        return HORNET_DONE;
    };
    EXPECT_EQ(Session(w).talk("GET / HTTP/1.1\r\nHost: h\r\n\r\n").rfind("HTTP/1.1 500 ", 0), 0u);
}

TEST(BlockingConnection, PendingFinishedFromAnotherThread) {
    FakeWorker w;
    std::thread later;
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        later = std::thread([x, ops] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const hornet_header_t hs[] = {{s("Content-Length"), s("5")}};
            ops->start(x, 201, hs, 1);
            ops->write(x, "later", 5);
            ops->finish(x, 0);
        });
        return HORNET_PENDING;
    };
    const std::string out = Session(w).talk("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    later.join();
    EXPECT_EQ(out.rfind("HTTP/1.1 201 Created\r\n", 0), 0u) << out;
    EXPECT_EQ(body_of(out), "later");
}

// read_async -> write_async -> read_async ... with callbacks on the handler
// thread, never inside the call that started them.
struct AsyncEcho {
    hornet_exchange_t* x;
    const hornet_exchange_ops_t* ops;
    char buf[7];
    bool in_call = false;
    bool reentered = false;
    std::thread::id handler_thread;
    bool other_thread = false;

    void check() {
        reentered |= in_call;
        other_thread |= std::this_thread::get_id() != handler_thread;
    }
    void read_next() {
        in_call = true;
        ops->read_async(x, buf, sizeof buf, on_read, this);
        in_call = false;
    }
    static void on_read(void* ud, ptrdiff_t n) {
        auto* self = static_cast<AsyncEcho*>(ud);
        self->check();
        if (n <= 0) {
            self->ops->finish(self->x, static_cast<int>(n));
            return;
        }
        self->in_call = true;
        self->ops->write_async(self->x, self->buf, static_cast<size_t>(n), on_written, self);
        self->in_call = false;
    }
    static void on_written(void* ud, ptrdiff_t rc) {
        auto* self = static_cast<AsyncEcho*>(ud);
        self->check();
        if (rc < 0) {
            self->ops->finish(self->x, static_cast<int>(rc));
            return;
        }
        self->read_next();
    }
};

TEST(BlockingConnection, AsyncOpsRunOnTheHandlerThreadAfterPending) {
    FakeWorker w;
    AsyncEcho echo_state{};
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        echo_state.x = x;
        echo_state.ops = ops;
        echo_state.handler_thread = std::this_thread::get_id();
        ops->start(x, 200, nullptr, 0);
        echo_state.read_next();
        return HORNET_PENDING;
    };
    const std::string out = Session(w).talk("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz");
    EXPECT_EQ(dechunk(body_of(out)), "abcdefghijklmnopqrstuvwxyz");
    EXPECT_FALSE(echo_state.reentered);
    EXPECT_FALSE(echo_state.other_thread);
}

TEST(BlockingConnection, DoneWithoutFinishIsFinished) {
    FakeWorker w;
    w.handler = [](hornet_exchange_t*, const hornet_exchange_ops_t*) { return HORNET_DONE; };
    const std::string out = Session(w).talk("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_TRUE(has(out, "Content-Length: 0\r\n"));
}

TEST(BlockingConnection, ShortBodyClosesAndWritesBeyondAreRefused) {
    FakeWorker w;
    int beyond = 0;
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        const hornet_header_t hs[] = {{s("Content-Length"), s("10")}};
        ops->start(x, 200, hs, 1);
        ops->write(x, "abc", 3);
        beyond = ops->write(x, "0123456789", 10);
        ops->finish(x, 0);
        return HORNET_DONE;
    };
    const std::string out = Session(w).talk("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(beyond, HORNET_EINVAL);
    EXPECT_EQ(body_of(out), "abc"); // then EOF: the client sees it cut short
}

TEST(BlockingConnection, HeadRequestGetsNoBody) {
    FakeWorker w;
    w.handler = hello;
    const std::string out = Session(w).talk("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_TRUE(has(out, "Content-Length: 14\r\n"));
    EXPECT_EQ(body_of(out), "");
}

TEST(BlockingConnection, Http10WithoutLengthEndsAtClose) {
    FakeWorker w;
    w.handler = [](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        ops->start(x, 200, nullptr, 0);
        ops->write(x, "abc", 3);
        ops->write(x, "def", 3);
        ops->finish(x, 0);
        return HORNET_DONE;
    };
    const std::string out = Session(w).talk("GET / HTTP/1.0\r\n\r\n");
    EXPECT_FALSE(has(out, "Transfer-Encoding"));
    EXPECT_EQ(body_of(out), "abcdef");
}

TEST(BlockingConnection, SlowHeadIs408) {
    FakeWorker w;
    w.handler = hello;
    w.limits.header_timeout_ms = 100;
    Session session(w);
    send_all(session.client, "GET / HT");
    const std::string out = receive(session.client);
    EXPECT_EQ(out.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << out;
}

TEST(BlockingConnection, SilentClientIsClosedWithoutAnswer) {
    FakeWorker w;
    w.handler = hello;
    w.limits.header_timeout_ms = 100;
    Session session(w);
    EXPECT_EQ(receive(session.client), "");
    EXPECT_EQ(w.requests, 0);
}

TEST(BlockingConnection, KeepAliveServesPipelinedRequests) {
    FakeWorker w;
    w.handler = hello;
    Session session(w, /*keep_alive=*/true);
    send_all(session.client, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    const std::string out = receive(session.client);
    size_t first = out.find("Hello, World!\n");
    ASSERT_NE(first, std::string::npos) << out;
    EXPECT_NE(out.find("Hello, World!\n", first + 1), std::string::npos) << out;
    session.server.join(); // the last response's FIN may come before the worker counts it
    EXPECT_EQ(w.requests, 2);
}

TEST(BlockingConnection, StopNowEndsAWaitAtOnce) {
    FakeWorker w;
    w.handler = hello;
    int stop[2];
    ASSERT_EQ(::pipe(stop), 0);
    w.ctx.stop_fd = stop[0];
    Session session(w);
    const auto t0 = std::chrono::steady_clock::now();
    w.stop_mode = HORNET_STOP_NOW;
    ASSERT_EQ(::write(stop[1], "x", 1), 1);
    session.server.join();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    ::close(stop[0]);
    ::close(stop[1]);
}

TEST(BlockingConnection, FinishFromAnotherThreadCutsAPendingRead) {
    FakeWorker w;
    w.limits.body_timeout_ms = 10000;
    std::thread later;
    std::atomic<ptrdiff_t> read_result{1};
    static char buf[16];
    w.handler = [&](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        ops->read_async(x, buf, sizeof buf, [](void* ud, ptrdiff_t n) { *static_cast<std::atomic<ptrdiff_t>*>(ud) = n; },
                        &read_result);
        later = std::thread([x, ops] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            ops->finish(x, 0);
        });
        return HORNET_PENDING;
    };
    Session session(w);
    send_all(session.client, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n"); // the body never comes
    const auto t0 = std::chrono::steady_clock::now();
    const std::string out = receive(session.client);
    session.server.join();
    later.join();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
    EXPECT_LE(read_result.load(), 0);
}

TEST(BlockingConnection, GracefulStopEndsAnIdleKeepAliveWait) {
    FakeWorker w;
    w.handler = hello;
    w.limits.keepalive_ms = 10000;
    int stop[2];
    ASSERT_EQ(::pipe(stop), 0);
    w.ctx.stop_fd = stop[0];
    Session session(w, /*keep_alive=*/true);
    send_all(session.client, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_TRUE(has(receive(session.client, "Hello, World!\n"), "200 OK"));
    const auto t0 = std::chrono::steady_clock::now();
    w.stop_mode = HORNET_STOP_GRACEFUL;
    ASSERT_EQ(::write(stop[1], "x", 1), 1);
    session.server.join();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
    ::close(stop[0]);
    ::close(stop[1]);
}

// ---- serve_ready(): one visit of a parked connection (gthread) -------------

namespace {

// A connection as a poller holds it: the server end of a socketpair.
struct Parked {
    int client = -1;
    ConnectionState state{-1, ConnectionAddresses{}};

    Parked() {
        int sv[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
        ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
        state.fd = sv[0];
        client = sv[1];
    }
    ~Parked() {
        ::close(client);
        ::close(state.fd);
    }
};

BlockingConnection keep_alive_connection(FakeWorker& w) { return BlockingConnection(&w.ctx, {true, "http"}); }

} // namespace

TEST(ServeReady, ServesBufferedPipelinedRequestsThenWaitsWithoutABuffer) {
    FakeWorker w;
    w.handler = hello;
    BlockingConnection connection = keep_alive_connection(w);
    Parked p;
    send_all(p.client, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(connection.serve_ready(p.state), ConnectionWait::request);
    EXPECT_EQ(p.state.answered, 2u);
    EXPECT_EQ(p.state.input, nullptr); // an idle connection holds no buffer
    std::string out = receive(p.client, "Hello, World!\n");
    if (out.find("Hello", out.find("Hello") + 1) == std::string::npos) out += receive(p.client, "Hello, World!\n");
    EXPECT_NE(out.find("Hello", out.find("Hello") + 1), std::string::npos) << out;
    EXPECT_EQ(w.logged_lines, (std::vector<std::string>{"GET /1 HTTP/1.1", "GET /2 HTTP/1.1"}));
}

TEST(ServeReady, PartialHeadStaysWithTheConnectionAcrossHandlers) {
    FakeWorker w;
    w.handler = hello;
    BlockingConnection first = keep_alive_connection(w), second = keep_alive_connection(w);
    Parked p;
    send_all(p.client, "GET /split HT");
    EXPECT_EQ(first.serve_ready(p.state), ConnectionWait::head);
    ASSERT_NE(p.state.input, nullptr);
    EXPECT_NE(p.state.head_since_ms, 0);
    send_all(p.client, "TP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(second.serve_ready(p.state), ConnectionWait::request); // another thread's connection
    EXPECT_EQ(p.state.answered, 1u);
    EXPECT_EQ(p.state.head_since_ms, 0);
    EXPECT_EQ(w.logged_lines, (std::vector<std::string>{"GET /split HTTP/1.1"}));
}

TEST(ServeReady, ExpiredPartialHeadIs408AndCloses) {
    FakeWorker w;
    w.handler = hello;
    BlockingConnection connection = keep_alive_connection(w);
    Parked p;
    send_all(p.client, "GET / HT");
    EXPECT_EQ(connection.serve_ready(p.state), ConnectionWait::head);
    p.state.head_expired = true; // the poller's verdict
    ConnectionWait wait = ConnectionWait::request;
    std::thread handler([&] { wait = connection.serve_ready(p.state); });
    const std::string out = receive(p.client, "\r\n\r\n");
    ::shutdown(p.client, SHUT_WR); // ends the linger after the 408
    handler.join();
    EXPECT_EQ(wait, ConnectionWait::closed);
    EXPECT_EQ(out.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << out;
}

TEST(ServeReady, ClientGoneIsClosed) {
    FakeWorker w;
    w.handler = hello;
    BlockingConnection connection = keep_alive_connection(w);
    Parked p;
    ::shutdown(p.client, SHUT_WR);
    EXPECT_EQ(connection.serve_ready(p.state), ConnectionWait::closed);
    EXPECT_EQ(w.requests, 0);
}

TEST(ServeReady, StopDuringTheAppMakesTheResponseSayClose) {
    FakeWorker w;
    w.handler = [&w](hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
        w.stop_mode = HORNET_STOP_GRACEFUL; // the TERM arrives while the app works
        return hello(x, ops);
    };
    BlockingConnection connection = keep_alive_connection(w);
    Parked p;
    send_all(p.client, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(connection.serve_ready(p.state), ConnectionWait::closed);
    EXPECT_TRUE(has(receive(p.client, "Hello, World!\n"), "Connection: close\r\n"));
}
