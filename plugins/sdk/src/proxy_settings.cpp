// Reading the context's proxy settings; the scheme from secure headers.
#include "hornet/sdk/detail/proxy_settings.hpp"
#include "hornet/support/text.hpp"

#include <strings.h>

namespace hornet::sdk {
namespace {

using support::iequals;
using support::view;

} // namespace

ProxySettings ProxySettings::from(const hornet_worker_ctx_t* ctx) {
    ProxySettings out;
    if (!ctx || !HORNET_HAS(ctx, hornet_worker_ctx_t, proxy_allow_ips)) return out;
    out.forwarded_allow = IpAllowList::parse(view(ctx->forwarded_allow_ips));
    for (size_t i = 0; i < ctx->secure_scheme_header_count && ctx->secure_scheme_headers; ++i) {
        const hornet_header_t& h = ctx->secure_scheme_headers[i];
        out.secure_scheme_headers.emplace_back(view(h.name), view(h.value));
    }
    out.proxy_protocol = ctx->proxy_protocol != 0;
    out.proxy_allow = IpAllowList::parse(view(ctx->proxy_allow_ips));
    return out;
}

SchemeVerdict ProxySettings::scheme_of(const hornet_request_t& r) const {
    SchemeVerdict verdict;
    for (size_t i = 0; i < r.header_count; ++i) {
        const std::string_view name = view(r.headers[i].name);
        for (const auto& [secure_name, secure_value] : secure_scheme_headers) {
            if (!iequals(name, secure_name)) continue;
            const std::string_view scheme = view(r.headers[i].value) == secure_value ? "https" : "http";
            if (!verdict.scheme.empty() && verdict.scheme != scheme) verdict.conflict = true;
            verdict.scheme = scheme;
        }
    }
    return verdict;
}

} // namespace hornet::sdk
