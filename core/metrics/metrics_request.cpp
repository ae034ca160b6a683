// The metrics endpoint's request reader; see metrics_request.hpp.
#include "metrics/metrics_request.hpp"

namespace hornet::metrics {
namespace {

bool is_token_char(char c) { return c > ' ' && c < 127; }

} // namespace

MetricsRequest read_metrics_request(std::string_view received) {
    const std::size_t end = received.find("\r\n\r\n");
    if (end == std::string_view::npos) return {received.size() > kMaxRequestHead ? 431 : 0};
    if (end > kMaxRequestHead) return {431};
    const std::string_view line = received.substr(0, received.find("\r\n"));
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return {400};
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (method.empty() || target.empty() || !version.starts_with("HTTP/1.")) return {400};
    for (char c : line.substr(0, sp2))
        if (c != ' ' && !is_token_char(c)) return {400};
    const bool head = method == "HEAD";
    if (method != "GET" && !head) return {405};
    const std::string_view path = target.substr(0, target.find('?'));
    return {path == "/metrics" ? 200 : 404, head};
}

} // namespace hornet::metrics
