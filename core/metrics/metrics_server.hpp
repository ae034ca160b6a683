// MetricsServer: GET /metrics at metrics_bind, served by the arbiter on its
// own Boost.Asio loop, never by a worker, so a stuck worker cannot hide the
// numbers. Each scrape renders the page from the scoreboard at once (no
// worker is asked); a connection gets 5 s to send its request head, at most
// kMaxSessions are open at once (more are closed at accept), and each
// answers one request and closes. Arbiter thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "listen/listener.hpp"

namespace hornet::metrics {

class MetricsServer {
public:
    using Render = std::function<std::string()>;

    // Binds `spec` (HOST:PORT or unix:PATH); throws std::runtime_error with
    // one line naming it.
    MetricsServer(boost::asio::io_context& io, const std::string& spec, Render render);
    ~MetricsServer();

    // "http://127.0.0.1:9100/metrics", or "unix:/run/m.sock (GET /metrics)".
    std::string url() const;
    const std::string& spec() const { return listener_.spec(); }
    // In a forked worker: let go of the listening socket without touching
    // the arbiter's loop.
    void close_after_fork();

    static constexpr int kMaxSessions = 16;

private:
    class Session;
    void wait_for_client();
    void accept_clients();

    boost::asio::io_context& io_;
    Listener listener_;
    boost::asio::posix::stream_descriptor acceptor_;
    Render render_;
    std::shared_ptr<int> sessions_; // open sessions; shared with them, so none outlives the count
};

} // namespace hornet::metrics
