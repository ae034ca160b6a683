// oneshot: a worker type in C++ on hornet::sdk, built out of tree against an
// installed hornet. The smallest honest worker type: poll(2) on the listeners
// and the stop fd, accept one connection, serve its request with the SDK's
// blocking HTTP/1.1 connection (parse, run the app, frame, access log,
// counters), close, repeat; beat the heartbeat on every wake-up.
//
// Everything it needs comes from the context the host hands to run(): the
// listening fds, the app, the limits, the stop fd and the host's services.
// It never includes anything of hornet but the installed headers.
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <hornet/sdk.hpp>

namespace {

class Oneshot {
public:
    explicit Oneshot(const hornet_worker_ctx_t* ctx) : ctx_(ctx), beat_ms_(hornet::sdk::Timeouts::from(ctx->limits).beat_ms) {
        // Every worker process waits on the same listeners: another may win
        // the accept, so ours must not block.
        for (size_t i = 0; i < ctx->listen_count; ++i) {
            const int fd = ctx->listen_fds[i];
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
            fds_.push_back({fd, POLLIN, 0});
        }
        fds_.push_back({ctx->stop_fd, POLLIN, 0});
    }

    int run() {
        hornet::support::logf(ctx_->host, HORNET_LOG_INFO, "oneshot worker %d: %zu listener(s)", ctx_->worker_id,
                          ctx_->listen_count);
        ctx_->ready(ctx_);
        for (;;) {
            ctx_->heartbeat(ctx_);
            if (::poll(fds_.data(), fds_.size(), static_cast<int>(beat_ms_)) < 0 && errno != EINTR) return 1;
            if (fds_.back().revents || ctx_->stop_mode(ctx_) != HORNET_STOP_NONE) return 0;
            for (size_t i = 0; i + 1 < fds_.size(); ++i) {
                if (fds_[i].revents & POLLIN) serve_one(fds_[i].fd);
            }
        }
    }

private:
    void serve_one(int listener) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; // another worker was faster, or the client left
        hornet::sdk::ConnectionAddresses addresses;
        addresses.peer = hornet::sdk::SocketAddress::peer_of(fd);
        addresses.local = hornet::sdk::SocketAddress::local_of(fd);
        // One request, then close (keep_alive = false); closes fd itself.
        hornet::sdk::serve_connection(fd, ctx_, addresses, false);
    }

    const hornet_worker_ctx_t* ctx_;
    uint32_t beat_ms_;
    std::vector<pollfd> fds_;
};

int run_oneshot(const hornet_worker_ctx_t* ctx) {
    return hornet::support::guarded(ctx->host, "oneshot worker", int{HORNET_EXIT_BOOT_FAILED},
                                [&] { return Oneshot(ctx).run(); });
}

const hornet_worker_t kOneshot = {
    .head = HORNET_HEAD_INIT(hornet_worker_t),
    .name = "oneshot",
    .version = "1.0.0",
    .flags = 0,        // one connection at a time, closed after its request
    .check = nullptr,  // any app: a PENDING one makes the thread wait
    .run = run_oneshot,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_worker_t* hornet_worker_entry(uint32_t host_major, uint32_t) {
    return host_major == HORNET_ABI_MAJOR ? &kOneshot : nullptr;
}
