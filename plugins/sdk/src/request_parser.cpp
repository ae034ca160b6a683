// The request codec: Beast parses, the hooks record offsets, and this file
// turns them into the request view and the statuses Gunicorn answers with.
// The one place (with beast_request_parser.hpp) that parses Beast.
#include "hornet/sdk/request_parser.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <strings.h>

#include "beast_request_parser.hpp"
#include "request_rules.hpp"
#include "hornet/support/text.hpp"

namespace hornet::sdk {
namespace detail {

bool BeastRequestParser::locate(beast_sv s, Span& out) const {
    const char* first = input_.data();
    const char* last = first + input_.size();
    // An obs-folded value is rebuilt by Beast in its own buffer: refuse it
    // (RFC 9112 5.2 allows a 400) rather than copy it.
    if (s.size() != 0 && (s.data() < first || s.data() + s.size() > last)) return false;
    out.off = s.size() != 0 ? static_cast<uint32_t>(s.data() - base_) : 0;
    out.len = static_cast<uint32_t>(s.size());
    return true;
}

void BeastRequestParser::fail(int status, error_code& ec) {
    facts_.status = status;
    ec = http::error::bad_field;
}

void BeastRequestParser::on_request_impl(http::verb method, beast_sv method_str, beast_sv target,
                                         int version, error_code& ec) {
    if (!locate(method_str, facts_.method) || !locate(target, facts_.target)) return fail(400, ec);
    facts_.version = version;
    facts_.head_method = method == http::verb::head;
    if (int status = rules::target_status(method_str, target)) return fail(status, ec);
}

// Beast accepts obs-fold (RFC 9112 5.2 lets us refuse it): a folded value is
// either rebuilt in Beast's buffer, outside the input, or (an empty first
// line) starts after a CRLF. Either way more than OWS follows the colon.
bool BeastRequestParser::unfolded(beast_sv name, beast_sv value) const {
    const auto at = [](const char* p) { return reinterpret_cast<std::uintptr_t>(p); };
    const char* colon = name.data() + name.size();
    const char* end = input_.data() + input_.size();
    if (at(value.data()) <= at(colon) || at(value.data()) > at(end)) return false;
    return rules::only_ows(colon + 1, value.data());
}

// The fields that decide where the request ends, and Host: strict, since a
// proxy in front may read them another way (request smuggling).
int BeastRequestParser::framing_status(http::field name, beast_sv value) {
    switch (name) {
    case http::field::host:
        return ++facts_.host_count > 1 || !rules::is_valid_host(value) ? 400 : 0;
    case http::field::content_length:
        if (facts_.has_length || !rules::is_content_length(value)) return 400;
        facts_.has_length = true;
        return 0;
    case http::field::transfer_encoding:
        // RFC 9112 6.1: an HTTP/1.0 message with it has faulty framing.
        if (facts_.version < 11) return 400;
        if (int status = rules::transfer_encoding_status(value)) return status;
        facts_.chunked = true;
        return 0;
    case http::field::expect:
        if (boost::beast::iequals(value, "100-continue")) facts_.expect_continue = true;
        return 0;
    case http::field::te:
        if (rules::te_lists_trailers(value)) facts_.te_trailers = true;
        return 0;
    default:
        return 0;
    }
}

void BeastRequestParser::on_field_impl(http::field name, beast_sv name_str, beast_sv value,
                                       error_code& ec) {
    if (!unfolded(name_str, value)) return fail(400, ec);
    if (facts_.in_body) return; // trailers: parsed for framing, not offered to the app
    if (limits_.fields != 0 && facts_.fields.size() >= limits_.fields) return fail(431, ec);
    FieldSpan span;
    if (!locate(name_str, span.name) || !locate(value, span.value)) return fail(400, ec);
    const char* line_end = value.empty() ? name_str.data() + name_str.size() : value.data() + value.size();
    if (limits_.field_size != 0 && static_cast<size_t>(line_end - name_str.data()) > limits_.field_size)
        return fail(431, ec);
    if (int status = framing_status(name, value)) return fail(status, ec);
    facts_.fields.push_back(span);
}

// RFC 9112 3.2: an HTTP/1.1 request without Host is a 400.
void BeastRequestParser::on_header_impl(error_code& ec) {
    if (facts_.version >= 11 && facts_.host_count == 0) fail(400, ec);
}

size_t BeastRequestParser::take_body(beast_sv body, error_code& ec) {
    const size_t room = out_.size() - produced_;
    const size_t n = std::min(room, body.size());
    if (n != 0) std::memcpy(out_.data() + produced_, body.data(), n);
    produced_ += n;
    // Stop Beast here; the rest waits for the next read.
    if (n < body.size()) ec = http::error::need_buffer;
    return n;
}

} // namespace detail

using detail::BeastRequestParser;
using detail::FieldSpan;
using detail::HeadFacts;
using detail::Span;

struct RequestParser::Impl {
    explicit Impl(const ParserLimits& l);

    ParserLimits limits;
    uint32_t budget;            // of a whole head's bytes: header_budget()
    HeadFacts facts;
    std::optional<BeastRequestParser> beast;
    size_t consumed = 0;        // head bytes Beast has taken so far
    uint64_t body_taken = 0;    // body input bytes used, framing included
    size_t head_start = 0;      // after the empty lines skipped
    size_t scanned = 0;         // incomplete(): bytes already looked at
    Span line;                  // the request line, once seen
    bool line_seen = false;
    const char* head = nullptr; // after resolve()
    std::vector<hornet_header_t> headers;

    void start();
    int check_request_line(std::span<const char> buffered);
    size_t skip_empty_lines(std::span<const char> buffered);
    int status_for(const detail::error_code& ec) const;
    HeadResult incomplete(std::span<const char> buffered);
    hornet_str_t str(Span s) const { return {head + s.off, s.len}; }
};

namespace {

// Room for the request line and every field at its maximum size, within
// reason. Beast applies its header limit one way to a head that arrives
// whole (the line and the fields each against it) and another to one it has
// seen part of (the whole head against it); parse_head() holds every head to
// this budget itself, so the two readings of one byte stream agree.
uint32_t header_budget(const ParserLimits& l) {
    constexpr uint64_t cap = 1024 * 1024;
    const uint64_t line = l.request_line != 0 ? l.request_line : 65536;
    const uint64_t fields = l.fields != 0 ? l.fields : 32768;
    const uint64_t size = l.field_size != 0 ? l.field_size : 65536;
    return static_cast<uint32_t>(std::min(cap, line + 2 + fields * (size + 2) + 2));
}

} // namespace

RequestParser::Impl::Impl(const ParserLimits& l) : limits(l), budget(header_budget(l)) {
    facts.fields.reserve(32);
    headers.reserve(32);
}

void RequestParser::Impl::start() {
    facts.method = facts.target = Span{};
    facts.version = 11;
    facts.head_method = facts.expect_continue = false;
    facts.status = 0;
    facts.in_body = false;
    facts.host_count = 0;
    facts.has_length = facts.chunked = facts.te_trailers = false;
    facts.fields.clear();
    headers.clear();
    consumed = head_start = scanned = 0;
    body_taken = 0;
    line = Span{};
    line_seen = false;
    head = nullptr;
    beast.emplace(limits, facts);
    beast->header_limit(budget);
    if (limits.body == UINT64_MAX) beast->body_limit(boost::none);
    else beast->body_limit(limits.body);
    beast->eager(false); // stop after the head
}

// Clients may send a CRLF or two between requests (RFC 9112 2.2): skip a
// few; a bare CR or LF is not an empty line.
size_t RequestParser::Impl::skip_empty_lines(std::span<const char> buffered) {
    constexpr size_t kMaxSkipped = 4;
    size_t i = 0; // from the start on every call: never more than kMaxSkipped in all
    for (size_t n = 0; n < kMaxSkipped && i + 1 < buffered.size(); ++n, i += 2) {
        if (buffered[i] != '\r' || buffered[i + 1] != '\n') break;
    }
    return i;
}

// Beast has no request-line limit: find the line ourselves, so an endless
// line is a 414 before the header budget is spent on it.
int RequestParser::Impl::check_request_line(std::span<const char> buffered) {
    const char* first = buffered.data() + consumed;
    const size_t avail = buffered.size() - consumed;
    const size_t limit = limits.request_line != 0 ? limits.request_line : SIZE_MAX - 2;
    const size_t window = std::min(avail, limit + 2);
    const void* nl = std::memchr(first, '\n', window);
    if (!nl) return avail >= limit + 2 ? 414 : 0;
    size_t len = static_cast<const char*>(nl) - first;
    if (len != 0 && first[len - 1] == '\r') --len;
    if (len > limit) return 414;
    line = Span{static_cast<uint32_t>(consumed), static_cast<uint32_t>(len)};
    line_seen = true;
    return rules::version_status({first, len});
}

int RequestParser::Impl::status_for(const detail::error_code& ec) const {
    if (facts.status != 0) return facts.status;
    if (ec == detail::http::error::header_limit) return 431;
    if (ec == detail::http::error::body_limit) return 413;
    return 400;
}

RequestParser::RequestParser(const ParserLimits& limits) : impl_(std::make_unique<Impl>(limits)) {
    impl_->start();
}

RequestParser::~RequestParser() = default;

void RequestParser::reset() { impl_->start(); }

// Beast waits for CRLFCRLF before it parses a head it has seen part of, so
// a head with bare LFs for line ends would wait for the head timeout. Every
// byte buffered so far belongs to the head (its end is not here yet): a
// bare CR or LF among them is a 400 now. Off the common path (whole heads).
HeadResult RequestParser::Impl::incomplete(std::span<const char> buffered) {
    const size_t from = std::max(scanned, head_start);
    const char prev = from > head_start ? buffered[from - 1] : '\0';
    scanned = buffered.size();
    if (rules::has_bare_cr_or_lf({buffered.data() + from, buffered.size() - from}, prev))
        return {ParseStatus::error, consumed, 400};
    return {ParseStatus::need_more, consumed, 0};
}

HeadResult RequestParser::parse_head(std::span<const char> buffered) {
    Impl& s = *impl_;
    if (!s.beast->got_some()) s.consumed = s.head_start = s.skip_empty_lines(buffered);
    if (!s.line_seen) {
        if (int status = s.check_request_line(buffered)) return {ParseStatus::error, s.consumed, status};
    }
    // Nothing of the request yet, or only the CR of a CRLF between requests.
    const size_t left = buffered.size() - s.consumed;
    if (left == 0 || (left == 1 && !s.beast->got_some() && buffered.back() == '\r')) return s.incomplete(buffered);
    auto input = buffered.subspan(s.consumed);
    s.beast->feeding(buffered.data(), input);
    detail::error_code ec;
    s.consumed += s.beast->put(boost::asio::const_buffer(input.data(), input.size()), ec);
    if (ec == detail::http::error::need_more) return s.incomplete(buffered);
    if (ec) return {ParseStatus::error, s.consumed, s.status_for(ec)};
    if (!s.beast->is_header_done()) return {ParseStatus::need_more, s.consumed, 0};
    if (s.consumed - s.head_start > s.budget) return {ParseStatus::error, s.consumed, 431};
    // Beast must frame the body as the rules did, or the two disagree on
    // where this request ends.
    if (s.facts.chunked != s.beast->chunked() || s.facts.has_length != s.beast->content_length().has_value())
        return {ParseStatus::error, s.consumed, 400};
    s.beast->eager(true); // the body: as much as each output buffer takes
    s.facts.in_body = true;
    return {ParseStatus::done, s.consumed, 0};
}

void RequestParser::resolve(const char* head) {
    Impl& s = *impl_;
    s.head = head;
    s.headers.clear();
    for (const FieldSpan& f : s.facts.fields) s.headers.push_back({s.str(f.name), s.str(f.value)});
}

void RequestParser::fill(hornet_request_t& r) const {
    const Impl& s = *impl_;
    r.method = s.str(s.facts.method);
    r.target = s.str(s.facts.target);
    const char* q = static_cast<const char*>(std::memchr(r.target.ptr, '?', r.target.len));
    const size_t path_len = q ? static_cast<size_t>(q - r.target.ptr) : r.target.len;
    r.path = {r.target.ptr, path_len};
    r.query = q ? hornet_str_t{q + 1, r.target.len - path_len - 1} : hornet_str_t{r.target.ptr + path_len, 0};
    r.version = s.facts.version;
    r.headers = s.headers.data();
    r.header_count = s.headers.size();
    const bool chunked = s.beast->chunked();
    r.content_length = chunked ? -1 : static_cast<int64_t>(s.beast->content_length().value_or(0));
    r.flags = 0;
    if (chunked) r.flags |= HORNET_REQ_CHUNKED;
    if (s.facts.expect_continue && s.facts.version >= 11) r.flags |= HORNET_REQ_EXPECT_CONTINUE;
    if (s.beast->keep_alive()) r.flags |= HORNET_REQ_KEEP_ALIVE;
}

bool RequestParser::head_request() const { return impl_->facts.head_method; }

bool RequestParser::keep_alive() const { return impl_->beast->keep_alive(); }

bool RequestParser::accepts_trailers() const { return impl_->facts.te_trailers; }

std::string_view RequestParser::request_line() const {
    const Impl& s = *impl_;
    if (!s.head || !s.line_seen) return {};
    return {s.head + s.line.off, s.line.len};
}

BodyResult RequestParser::parse_body(std::span<const char> in, std::span<char> out) {
    Impl& s = *impl_;
    if (s.beast->is_done()) return {ParseStatus::done, 0, 0, 0};
    s.beast->feeding(in.data(), in);
    s.beast->output(out);
    detail::error_code ec;
    const size_t used = s.beast->put(boost::asio::const_buffer(in.data(), in.size()), ec);
    const size_t produced = s.beast->produced();
    s.body_taken += used;
    if (ec == detail::http::error::need_buffer || ec == detail::http::error::need_more) ec = {};
    if (ec) return {ParseStatus::error, used, produced, s.status_for(ec)};
    const ParseStatus status = s.beast->is_done() ? ParseStatus::done : ParseStatus::need_more;
    return {status, used, produced, 0};
}

bool RequestParser::body_done() const { return impl_->beast->is_done(); }

uint64_t RequestParser::bytes_taken() const { return impl_->consumed + impl_->body_taken; }

void RequestParser::count_raw(uint64_t n) { impl_->body_taken += n; }

std::optional<uint64_t> RequestParser::body_left() const {
    const Impl& s = *impl_;
    if (s.beast->is_done()) return 0;
    if (s.beast->chunked()) return std::nullopt;
    return s.beast->content_length_remaining().value_or(0);
}

bool find_header(const hornet_request_t& request, std::string_view name, hornet_str_t* value) {
    for (size_t i = 0; i < request.header_count; ++i) {
        const hornet_header_t& h = request.headers[i];
        if (!support::iequals(support::view(h.name), name)) continue;
        if (value) *value = h.value;
        return true;
    }
    return false;
}

} // namespace hornet::sdk
