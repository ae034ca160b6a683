// MetricsService: the arbiter's metrics outputs, as the config asks: the
// Prometheus endpoint at metrics_bind and the statsd reports to
// statsd_host, both made from the ServerView the arbiter gathers on demand
// (its `gather`). Statsd goes from the arbiter, from scoreboard deltas once
// a second, rather than from each worker per request as Gunicorn does: one
// datagram a second instead of a system call per request in the serving
// path. Arbiter thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/config.hpp"
#include "metrics/metrics_server.hpp"
#include "metrics/server_view.hpp"
#include "metrics/statsd_lines.hpp"
#include "metrics/statsd_sender.hpp"

namespace hornet::metrics {

// Does this config count requests at all (its workers record every exchange)?
bool metrics_enabled(const Config& config);

class MetricsService {
public:
    using Gather = std::function<ServerView()>;

    MetricsService(boost::asio::io_context& io, Gather gather);
    ~MetricsService();

    // At start: binds metrics_bind (throws std::runtime_error with one line,
    // unless `shared`: the old arbiter of a binary upgrade may hold the
    // address, so binding is tried again each second until it is free) and
    // starts statsd. On a promoted reload: statsd follows the new config; a
    // changed metrics_bind waits for a restart (logged).
    enum class When { start, start_shared, reload };
    void configure(const Config& config, When when);
    // In a forked worker: close the arbiter's sockets.
    void close_after_fork();

    static constexpr std::chrono::milliseconds kStatsdInterval{1000};

private:
    struct Statsd {
        StatsdNaming naming;
        std::unique_ptr<StatsdSender> sender;
        StatsdSnapshot sent; // the counters at the last report
    };
    void configure_statsd(const Config& config);
    bool bind(const std::string& spec, bool may_wait);
    void schedule_statsd();
    void report_statsd();

    boost::asio::io_context& io_;
    Gather gather_;
    std::unique_ptr<MetricsServer> server_;
    std::string bound_spec_; // metrics_bind at start
    std::optional<Statsd> statsd_;
    boost::asio::steady_timer statsd_timer_;
    boost::asio::steady_timer bind_timer_;
};

} // namespace hornet::metrics
