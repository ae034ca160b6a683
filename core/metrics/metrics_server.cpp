// The /metrics endpoint on the arbiter's loop; see metrics_server.hpp.
#include "metrics/metrics_server.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "metrics/metrics_request.hpp"

namespace hornet::metrics {
namespace asio = boost::asio;
namespace {

constexpr auto kHeadTimeout = std::chrono::seconds(5);  // to send the request head
constexpr auto kWriteTimeout = std::chrono::seconds(5); // to take the answer

const char* reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    default: return "Request Header Fields Too Large";
    }
}

std::string response(int status, bool head_only, const std::string& body) {
    const bool ok = status == 200;
    const std::string text = ok ? body : std::string(reason(status)) + "\n";
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
    out += ok ? "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n" : "Content-Type: text/plain\r\n";
    if (status == 405) out += "Allow: GET, HEAD\r\n";
    out += "Content-Length: " + std::to_string(text.size()) + "\r\nConnection: close\r\n\r\n";
    if (!head_only) out += text;
    return out;
}

} // namespace

// One client: read its head (bounded in size and time), answer, close.
class MetricsServer::Session : public std::enable_shared_from_this<Session> {
public:
    Session(asio::io_context& io, int fd, const Render& render, std::shared_ptr<int> count)
        : socket_(io, fd), timer_(io), render_(render), count_(std::move(count)) {
        ++*count_;
    }
    ~Session() { --*count_; }

    void start() {
        timer_.expires_after(kHeadTimeout);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) self->answer(408, false);
        });
        read_more();
    }

private:
    void read_more() {
        socket_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](auto ec, std::size_t n) {
            self->on_read(ec, n);
        });
    }

    void on_read(const boost::system::error_code& ec, std::size_t n) {
        if (ec || answered_) return;
        received_.append(chunk_, n);
        const MetricsRequest request = read_metrics_request(received_);
        if (request.status == 0) return read_more();
        answer(request.status, request.head_only);
    }

    void answer(int status, bool head_only) {
        if (answered_) return;
        answered_ = true;
        // A client that does not read its answer is closed, not waited for.
        timer_.expires_after(kWriteTimeout);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            boost::system::error_code ignored;
            if (!ec) self->socket_.close(ignored);
        });
        out_ = response(status, head_only, status == 200 ? render_() : std::string());
        asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](auto, std::size_t) {
            boost::system::error_code ignored;
            self->timer_.cancel();
            self->socket_.close(ignored);
        });
    }

    asio::posix::stream_descriptor socket_;
    asio::steady_timer timer_;
    Render render_;
    std::shared_ptr<int> count_;
    char chunk_[2048];
    std::string received_;
    std::string out_;
    bool answered_ = false;
};

MetricsServer::MetricsServer(asio::io_context& io, const std::string& spec, Render render)
    : io_(io), listener_(spec, 64, 0), acceptor_(io, ::fcntl(listener_.fd(), F_DUPFD_CLOEXEC, 0)),
      render_(std::move(render)),
      sessions_(std::make_shared<int>(0)) {
    wait_for_client();
}

MetricsServer::~MetricsServer() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    listener_.remove_socket_file();
}

std::string MetricsServer::url() const {
    const std::string base = listener_.url();
    return base.starts_with("unix:") ? base + " (GET /metrics)" : base + "/metrics";
}

void MetricsServer::close_after_fork() {
    ::close(acceptor_.native_handle());
    ::close(listener_.fd());
}

void MetricsServer::wait_for_client() {
    acceptor_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        accept_clients();
        wait_for_client();
    });
}

// Every pending connection; past kMaxSessions one is closed at once (a
// scraper retries; a flood cannot hold the arbiter's memory).
void MetricsServer::accept_clients() {
    for (;;) {
        const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                spdlog::warn("metrics_bind {}: accept failed: {}", listener_.spec(), std::strerror(errno));
            return;
        }
        if (*sessions_ >= kMaxSessions) {
            ::close(fd);
            continue;
        }
        std::make_shared<Session>(io_, fd, render_, sessions_)->start();
    }
}

} // namespace hornet::metrics
