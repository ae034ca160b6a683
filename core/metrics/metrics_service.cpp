// The metrics outputs; see metrics_service.hpp.
#include "metrics/metrics_service.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "metrics/exposition.hpp"

namespace hornet::metrics {

bool metrics_enabled(const Config& c) { return !c.metrics_bind.empty() || !c.statsd_host.empty(); }

MetricsService::MetricsService(boost::asio::io_context& io, Gather gather)
    : io_(io), gather_(std::move(gather)), statsd_timer_(io), bind_timer_(io) {}

MetricsService::~MetricsService() = default;

void MetricsService::configure(const Config& c, When when) {
    configure_statsd(c);
    if (when != When::reload) {
        bound_spec_ = c.metrics_bind;
        if (!c.metrics_bind.empty()) bind(c.metrics_bind, when == When::start_shared);
        return;
    }
    if (c.metrics_bind != bound_spec_)
        spdlog::warn("metrics_bind changed from '{}' to '{}': it takes effect when hornet restarts", bound_spec_,
                     c.metrics_bind);
}

bool MetricsService::bind(const std::string& spec, bool may_wait) {
    try {
        server_ = std::make_unique<MetricsServer>(io_, spec, [this] { return exposition(gather_()); });
    } catch (const std::exception& e) {
        if (!may_wait) throw;
        spdlog::warn("metrics_bind: {}; trying again in a second (the old arbiter may still hold it)", e.what());
        bind_timer_.expires_after(std::chrono::seconds(1));
        bind_timer_.async_wait([this, spec](const boost::system::error_code& ec) {
            if (!ec) bind(spec, true);
        });
        return false;
    }
    spdlog::info("Metrics at: {}", server_->url());
    return true;
}

void MetricsService::close_after_fork() {
    if (server_) server_->close_after_fork();
    if (statsd_) ::close(statsd_->sender->fd());
}

// A reload with the same statsd settings keeps the deltas going; new
// settings start from the current totals (nothing is sent twice).
void MetricsService::configure_statsd(const Config& c) {
    if (c.statsd_host.empty()) {
        statsd_.reset();
        statsd_timer_.cancel();
        return;
    }
    const bool running = statsd_.has_value();
    std::unique_ptr<StatsdSender> sender;
    try {
        sender = std::make_unique<StatsdSender>(parse_statsd_host(c.statsd_host));
    } catch (const std::exception& e) {
        spdlog::error("{}: no statsd metrics", e.what());
        statsd_.reset();
        return;
    }
    if (!running) statsd_ = Statsd{{}, nullptr, StatsdSnapshot::of(gather_())};
    statsd_->naming = {c.statsd_prefix, c.dogstatsd_tags};
    statsd_->sender = std::move(sender);
    if (!running) schedule_statsd();
}

void MetricsService::schedule_statsd() {
    statsd_timer_.expires_after(kStatsdInterval);
    statsd_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !statsd_) return;
        report_statsd();
        schedule_statsd();
    });
}

void MetricsService::report_statsd() {
    const ServerView view = gather_();
    StatsdSnapshot now = StatsdSnapshot::of(view);
    std::uint64_t workers = 0;
    for (const auto& [type, g] : view.live) workers += g.workers;
    statsd_->sender->send(statsd_lines(statsd_->naming, now, statsd_->sent, workers));
    statsd_->sent = std::move(now);
}

} // namespace hornet::metrics
