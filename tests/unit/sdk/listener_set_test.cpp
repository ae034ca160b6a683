// tests/unit/sdk/listener_set_test.cpp: waiting on and accepting from a real
// loopback listener, and the stop fd ending the wait.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hornet/sdk/blocking_socket.hpp"
#include "hornet/sdk/listener_set.hpp"

using namespace hornet::sdk;

namespace {

struct Loopback {
    int listener = -1;
    uint16_t port = 0;
    int stop[2] = {-1, -1};
    hornet_worker_ctx_t ctx{};
    static inline int mode = HORNET_STOP_NONE;

    Loopback() {
        listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        ::listen(listener, 16);
        socklen_t len = sizeof sa;
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&sa), &len);
        port = ntohs(sa.sin_port);
        EXPECT_EQ(::pipe(stop), 0);
        mode = HORNET_STOP_NONE;
        ctx.head = HORNET_HEAD_INIT(hornet_worker_ctx_t);
        ctx.listen_fds = &listener;
        ctx.listen_count = 1;
        ctx.stop_fd = stop[0];
        ctx.stop_mode = [](const hornet_worker_ctx_t*) { return mode; };
    }
    ~Loopback() {
        ::close(listener);
        ::close(stop[0]);
        ::close(stop[1]);
    }
    int connect_and_send(const char* bytes) {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
        EXPECT_GT(::send(fd, bytes, strlen(bytes), 0), 0);
        return fd;
    }
};

} // namespace

TEST(ListenerSet, WaitAcceptAndStop) {
    Loopback lo;
    ListenerSet set(&lo.ctx);
    ASSERT_EQ(set.size(), 1u);
    EXPECT_EQ(set.wait(20), ListenerSet::Wake::timeout);

    const int client = lo.connect_and_send("GET / HTTP/1.1\r\n\r\n");
    ASSERT_EQ(set.wait(2000), ListenerSet::Wake::ready);
    ASSERT_TRUE(set.ready(0));
    ConnectionAddresses addresses;
    const int fd = set.accept(0, addresses);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(addresses.peer.host(), "127.0.0.1");
    EXPECT_EQ(addresses.local.port(), lo.port);
    int nodelay = 0;
    socklen_t len = sizeof nodelay;
    ::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len);
    EXPECT_NE(nodelay, 0);
    EXPECT_EQ(set.accept(0, addresses), -1); // nothing more: EAGAIN, not an error
    ::close(fd);
    ::close(client);

    Loopback::mode = HORNET_STOP_GRACEFUL;
    ASSERT_EQ(::write(lo.stop[1], "x", 1), 1);
    EXPECT_EQ(set.wait(2000), ListenerSet::Wake::stop);
    EXPECT_TRUE(set.stop_requested());
}

namespace {

bool quickack(int fd) {
    int on = -1;
    socklen_t len = sizeof on;
    EXPECT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, &len), 0);
    return on != 0;
}

} // namespace

// Delayed first ACKs are the listener's, inherited by what it accepts; the
// socket goes back to quick ACKs once it has to wait for the client, so a
// client holding its next bytes until it sees our ACK (Nagle) is not held up.
TEST(ListenerSet, DelayedFirstAckUntilTheWorkerWaitsForTheClient) {
    Loopback lo;
    {
        ListenerSet immediate(&lo.ctx);
        EXPECT_TRUE(quickack(lo.listener));
    }
    ListenerSet set(&lo.ctx, ListenerSet::FirstAck::delayed);
    EXPECT_FALSE(quickack(lo.listener));
    const int client = lo.connect_and_send("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n");
    ASSERT_EQ(set.wait(2000), ListenerSet::Wake::ready);
    ConnectionAddresses addresses;
    const int fd = set.accept(0, addresses);
    ASSERT_GE(fd, 0);
    EXPECT_FALSE(quickack(fd));

    BlockingSocket socket(fd, nullptr, 1000);
    char buf[256];
    Deadline head(1000);
    ASSERT_TRUE(socket.read_some(buf, head)); // the head: no wait, the ACK may ride on the answer
    EXPECT_FALSE(quickack(fd));
    Deadline body(20);
    EXPECT_EQ(socket.read_some(buf, body).error, IoError::timeout); // waited for the body
    EXPECT_TRUE(quickack(fd));
    ::close(fd);
    ::close(client);
}
