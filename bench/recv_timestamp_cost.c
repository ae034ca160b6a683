/* bench/recv_timestamp_cost.c: the kernel's part of the queue time.
 *
 * With metrics on, the sync and gthread worker types set SO_TIMESTAMPNS on
 * their listeners and take a connection's first bytes with recvmsg() and a
 * control buffer instead of read(), so the kernel stamps each packet and
 * copies the stamp out. This is that difference alone, on loopback TCP: one
 * process connects, sends a request-sized write, accepts, takes the bytes
 * (read or recvmsg with the stamp), and closes both ends, ROUNDS times in
 * each mode, alternating; it prints the process CPU time per connection in
 * each mode (getrusage), the median of the rounds.
 *
 * Build and run: cc -O2 -o /tmp/rtc bench/recv_timestamp_cost.c && /tmp/rtc
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CONNECTIONS = 20000, ROUNDS = 9 };

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void take_bytes(int fd, int stamped) {
    char data[512], control[CMSG_SPACE(sizeof(struct timespec))];
    if (!stamped) {
        if (read(fd, data, sizeof data) <= 0) abort();
        return;
    }
    struct iovec iov = {data, sizeof data};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (recvmsg(fd, &msg, 0) <= 0) abort();
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_TIMESTAMPNS) abort(); /* the stamp must really come */
}

static double round_us(int listener, struct sockaddr_in* at, int stamped) {
    static const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n";
    int on = stamped;
    setsockopt(listener, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    double t0 = cpu_seconds();
    for (int i = 0; i < CONNECTIONS; i++) {
        int client = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(client, (struct sockaddr*)at, sizeof *at) != 0) abort();
        if (write(client, request, sizeof request - 1) < 0) abort();
        int server = accept(listener, NULL, NULL);
        if (server < 0) abort();
        take_bytes(server, stamped);
        close(server);
        close(client);
    }
    return (cpu_seconds() - t0) * 1e6 / CONNECTIONS;
}

static int by_value(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(void) {
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof at;
    if (bind(listener, (struct sockaddr*)&at, sizeof at) || listen(listener, 128) ||
        getsockname(listener, (struct sockaddr*)&at, &len))
        return perror("listener"), 1;
    double plain[ROUNDS], stamped[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        plain[r] = round_us(listener, &at, 0);
        stamped[r] = round_us(listener, &at, 1);
    }
    qsort(plain, ROUNDS, sizeof *plain, by_value);
    qsort(stamped, ROUNDS, sizeof *stamped, by_value);
    printf("CPU per connection, median of %d rounds of %d: read %.2f us, recvmsg+SO_TIMESTAMPNS %.2f us, "
           "difference %.2f us\n",
           ROUNDS, CONNECTIONS, plain[ROUNDS / 2], stamped[ROUNDS / 2], stamped[ROUNDS / 2] - plain[ROUNDS / 2]);
    return 0;
}
