// One request's cycle without the I/O: head, request view, access record,
// count (see request_cycle.hpp).
#include "hornet/sdk/request_cycle.hpp"

#include "hornet/sdk/tls/tls_session.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "hornet/sdk/access_record.hpp"
#include "hornet/sdk/io.hpp"
#include "hornet/support/log.hpp"
#include "probe_app.hpp"

namespace hornet::sdk {
namespace {

const hornet_limits_t* limits_of(const hornet_worker_ctx_t* ctx) { return ctx ? ctx->limits : nullptr; }

const char* app_name_of(const hornet_worker_ctx_t* ctx) {
    return ctx && ctx->app && ctx->app->name ? ctx->app->name : "?";
}

// The first line of what arrived, for logging a request that did not parse.
std::string_view first_line(std::span<const char> bytes) {
    std::string_view s(bytes.data(), std::min<size_t>(bytes.size(), 1024));
    return s.substr(0, s.find_first_of("\r\n"));
}

} // namespace

RequestCycle::RequestCycle(const hornet_worker_ctx_t* ctx, const PeerGate& gate, const char* scheme)
    : ctx_(ctx), gate_(gate), scheme_(scheme), app_name_(app_name_of(ctx)),
      timeouts_(Timeouts::from(limits_of(ctx))), max_discard_(ParserLimits::from(limits_of(ctx)).discard),
      parser_(ParserLimits::from(limits_of(ctx))), records_(host_wants_records(ctx)),
      measure_queue_(host_observes(ctx) && (ctx->observe_flags & HORNET_OBSERVE_QUEUE_TIME)) {}

void RequestCycle::begin_head(const ConnectionRef& c) {
    parser_.reset();
    if (!c.input.empty()) mark_start();
}

HeadStep RequestCycle::parse_head(const ConnectionRef& c) {
    if (c.input.empty()) return {};
    const HeadResult r = gate_.parse_head(c.peer, parser_, c.input, c.addresses);
    if (r.status == ParseStatus::need_more) return {};
    if (r.status == ParseStatus::error) return {HeadStatus::refused, r.http_status, {}};
    parser_.resolve(c.input.pin_head(r.consumed, kHeadTailRoom));
    if (const int status = fill_request(c)) return {HeadStatus::refused, status, parser_.request_line()};
    return {HeadStatus::ready, 0, {}};
}

// 0, or the status to answer (contradictory scheme headers).
int RequestCycle::fill_request(const ConnectionRef& c) {
    const ConnectionAddresses& a = c.addresses;
    request_ = hornet_request_t{};
    request_.head = HORNET_HEAD_INIT(hornet_request_t);
    parser_.fill(request_);
    request_.scheme = {scheme_, std::strlen(scheme_)};
    request_.peer_host = {a.peer.host().data(), a.peer.host().size()};
    request_.peer_port = a.peer.port();
    request_.server_host = {a.local.host().data(), a.local.host().size()};
    request_.server_port = a.local.port();
    if (a.tls) return fill_tls(*a.tls), 0; // the connection itself says https
    return gate_.set_scheme(c.peer, request_);
}

// The connection's own TLS: https, whatever a proxy header may add.
void RequestCycle::fill_tls(TlsSession& tls) {
    const TlsPeerInfo& info = tls.peer();
    request_.scheme = {"https", 5};
    request_.tls_protocol = {info.protocol.data(), info.protocol.size()};
    request_.tls_cipher = {info.cipher.data(), info.cipher.size()};
    request_.tls_client_subject = {info.client_subject.data(), info.client_subject.size()};
    request_.tls_client_cert = {info.client_cert.data(), info.client_cert.size()};
}

WireBuffers RequestCycle::refusal(int status) {
    encoder_.reset({11, false, false});
    WireBuffers out;
    encoder_.error_response(status, out);
    return out;
}

void RequestCycle::end_refused(const ConnectionRef& c, const HeadStep& step) {
    const std::string_view peer = c.addresses.peer.host();
    support::logf(ctx_ ? ctx_->host : nullptr, HORNET_LOG_DEBUG, "answered %d to %.*s: the request head was refused",
         step.http_status, static_cast<int>(peer.size()), peer.data());
    report_end(c, nullptr, step.line.empty() ? first_line(c.input.data()) : step.line);
    count_request();
}

AppRoute RequestCycle::begin_exchange(const ConnectionRef& c, bool keep_going) {
    encoder_.reset({request_.version, parser_.head_request(), keep_going && parser_.keep_alive(),
                    parser_.accepts_trailers()});
    if (host_observes(ctx_)) {
        queued_us_ = queued_us(c);
        ctx_->exchange_begin(ctx_, &request_, queued_us_);
    }
    return route_request(ctx_, request_);
}

// From the kernel's accept queue for a connection's first request; from its
// first bytes seen for the next ones (they wait in the socket unseen only
// while the worker serves this connection's previous request).
// A kernel receive time (QueueClock::first_read) is on the wall clock: it
// is placed on the monotonic one through the pair of readings mark_start()
// took when those bytes were committed, so no clock is read for it.
int64_t RequestCycle::queued_us(const ConnectionRef& c) {
    if (!measure_queue_) return -1;
    int64_t from = start_mono_us_;
    if (c.addresses.arrived_us) from = c.addresses.arrived_us;
    else if (c.addresses.received_unix_us)
        from = start_mono_us_ - std::max<int64_t>(0, start_unix_us_ - c.addresses.received_unix_us);
    c.addresses.arrived_us = 0;
    c.addresses.received_unix_us = 0;
    return std::max<int64_t>(0, monotonic_us() - from);
}

void RequestCycle::end_exchange(const ConnectionRef& c) {
    report_end(c, &request_, parser_.request_line());
    c.input.unpin();
    count_request();
}

bool may_keep_alive(const hornet_worker_ctx_t* ctx, const Timeouts& timeouts) {
    if (!timeouts.keep_alive) return false;
    return !(ctx && ctx->stop_mode && ctx->stop_mode(ctx) != HORNET_STOP_NONE);
}

bool RequestCycle::keep_going(bool allowed) const { return allowed && may_keep_alive(ctx_, timeouts_); }

ExchangeParts RequestCycle::parts(InputBuffer& input) {
    return {parser_, encoder_, input, request_, ctx_ ? ctx_->host : nullptr, app_name_, max_discard_, ctx_};
}

void RequestCycle::mark_start() {
    if (!records_) return;
    start_unix_us_ = wall_clock_us();
    start_mono_us_ = monotonic_us();
}

void RequestCycle::report_end(const ConnectionRef& c, const hornet_request_t* request, std::string_view line) {
    const int64_t queued = std::exchange(queued_us_, -1);
    if (!records_) return;
    AccessEntry e;
    e.request = request;
    e.request_line = line;
    e.peer_host = c.addresses.peer.host();
    e.status = encoder_.status();
    e.body_bytes = encoder_.body_bytes();
    if (encoder_.started()) e.response_headers = encoder_.head().headers();
    e.start_unix_us = start_unix_us_;
    e.duration_us = monotonic_us() - start_mono_us_;
    e.queued_us = request ? queued : -1;
    e.request_bytes = parser_.bytes_taken();
    report_exchange_end(ctx_, e);
}

void RequestCycle::count_request() const {
    if (ctx_ && ctx_->count) ctx_->count(ctx_, HORNET_COUNT_REQUESTS, 1);
}

} // namespace hornet::sdk
