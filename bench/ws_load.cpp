// bench/ws_load.cpp: a WebSocket load client cheap enough to drive 1000
// connections from one thread (epoll, no library), for bench/websocket.sh.
//
//   ws_load PORT PATH CONNECTIONS SECONDS echo|broadcast|idle [SIZE] [WINDOW]
//
// echo: every connection sends a SIZE-byte binary message and waits for
// it to come back, over and over; prints round trips per second.
// broadcast: every connection joins PATH (a chat room); connection 0 keeps
// WINDOW messages in flight (each one sent again once its own copy came
// back); prints messages delivered per second over all connections.
// idle: opens every connection, prints "open" once all are, and holds
// them for SECONDS without a byte (for a memory reading).
// Also prints the client's own CPU time per message, so a reader can see
// that the client is not the bottleneck. Frames are masked (RFC 6455) with
// a fixed key: the server must unmask them all the same.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Conn {
    int fd = -1;
    bool open = false;   // the 101 came
    std::string in;      // received, not yet parsed
    uint64_t received = 0;
};

std::string frame(size_t size) {
    std::string f;
    f.push_back(static_cast<char>(0x82)); // FIN, binary
    if (size < 126) {
        f.push_back(static_cast<char>(0x80 | size));
    } else if (size < 65536) {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(size >> 8));
        f.push_back(static_cast<char>(size & 0xff));
    } else {
        f.push_back(static_cast<char>(0x80 | 127));
        for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((uint64_t{size} >> (8 * i)) & 0xff));
    }
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(key, 4);
    for (size_t i = 0; i < size; ++i) f.push_back(static_cast<char>('a' ^ key[i % 4]));
    return f;
}

// Whole frames at the front of c.in: how many (the payload is not looked at).
size_t take_frames(Conn& c) {
    size_t n = 0, at = 0;
    for (;;) {
        if (c.in.size() - at < 2) break;
        const auto* p = reinterpret_cast<const unsigned char*>(c.in.data() + at);
        uint64_t len = p[1] & 0x7f;
        size_t head = 2;
        if (len == 126) {
            if (c.in.size() - at < 4) break;
            len = (uint64_t{p[2]} << 8) | p[3];
            head = 4;
        } else if (len == 127) {
            if (c.in.size() - at < 10) break;
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
            head = 10;
        }
        if (c.in.size() - at < head + len) break;
        if ((p[0] & 0x0f) == 0x2 || (p[0] & 0x0f) == 0x1) ++n; // pings are not counted
        at += head + len;
    }
    c.in.erase(0, at);
    return n;
}

int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        std::perror("connect");
        std::exit(1);
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

void send_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            std::perror("send");
            std::exit(1);
        }
        off += static_cast<size_t>(n);
    }
}

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr, "usage: ws_load PORT PATH CONNECTIONS SECONDS echo|broadcast|idle [SIZE] [WINDOW]\n");
        return 2;
    }
    const int port = std::atoi(argv[1]);
    const std::string path = argv[2];
    const int count = std::atoi(argv[3]);
    const double seconds = std::atof(argv[4]);
    const bool broadcast = std::strcmp(argv[5], "broadcast") == 0;
    const bool idle = std::strcmp(argv[5], "idle") == 0;
    const size_t size = argc > 6 ? std::strtoul(argv[6], nullptr, 10) : 32;
    const int window = argc > 7 ? std::atoi(argv[7]) : 16;
    const std::string message = frame(size);
    const std::string request = "GET " + path +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    const int ep = ::epoll_create1(0);
    std::vector<Conn> conns(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        Conn& c = conns[static_cast<size_t>(i)];
        c.fd = connect_to(port);
        send_all(c.fd, request);
        epoll_event ev{EPOLLIN, {.u32 = static_cast<uint32_t>(i)}};
        ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    }

    int opened = 0;
    uint64_t messages = 0;
    bool measuring = false;
    auto t0 = std::chrono::steady_clock::now();
    double cpu0 = 0;
    std::vector<epoll_event> events(1024);
    char buf[65536];
    for (;;) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
        for (int k = 0; k < n; ++k) {
            Conn& c = conns[events[k].data.u32];
            const ssize_t got = ::recv(c.fd, buf, sizeof buf, 0);
            if (got <= 0) {
                std::fprintf(stderr, "ws_load: connection %u closed\n", events[k].data.u32);
                return 1;
            }
            c.in.append(buf, static_cast<size_t>(got));
            if (!c.open) {
                const size_t end = c.in.find("\r\n\r\n");
                if (end == std::string::npos) continue;
                if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
                    std::fprintf(stderr, "ws_load: no 101: %.60s\n", c.in.c_str());
                    return 1;
                }
                c.in.erase(0, end + 4);
                c.open = true;
                if (++opened == count && idle) {
                    std::printf("open\n");
                    std::fflush(stdout);
                    ::sleep(static_cast<unsigned>(seconds));
                    return 0;
                }
                if (opened == count) { // everyone is in: start
                    measuring = true;
                    t0 = std::chrono::steady_clock::now();
                    cpu0 = cpu_seconds();
                    if (broadcast) {
                        for (int w = 0; w < window; ++w) send_all(conns[0].fd, message);
                    } else {
                        for (Conn& o : conns) send_all(o.fd, message);
                    }
                }
            }
            const size_t frames = take_frames(c);
            if (!measuring || frames == 0) continue;
            messages += frames;
            // echo: each connection sends again; broadcast: the sender, on its own copy
            if (!broadcast || &c == &conns[0])
                for (size_t f = 0; f < frames; ++f) send_all(c.fd, message);
        }
        if (!measuring) continue;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (elapsed >= seconds) {
            const double cpu = cpu_seconds() - cpu0;
            std::printf("%s connections=%d messages=%llu seconds=%.2f rate=%.0f client_cpu_us_per_msg=%.2f\n",
                        broadcast ? "broadcast" : "echo", count, static_cast<unsigned long long>(messages), elapsed,
                        messages / elapsed, messages ? cpu * 1e6 / static_cast<double>(messages) : 0.0);
            return 0;
        }
    }
}
