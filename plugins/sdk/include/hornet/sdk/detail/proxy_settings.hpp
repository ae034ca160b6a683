// hornet/sdk/detail/proxy_settings.hpp: the worker context's proxy settings, read
// once, and the scheme a trusted peer's headers give a request.
//
// From hornet_worker_ctx_t (ABI 1.1; a 1.0 host has none: no trusted
// headers, no PROXY protocol): forwarded_allow_ips and secure_scheme_headers
// decide the request's scheme, as Gunicorn does: each secure header present
// says https when its value is exactly the configured one, else http; two
// that disagree are a 400. proxy_protocol and proxy_allow_ips say who must
// open with a PROXY header (proxy_header.hpp). Immutable once built: any
// thread; worker types build one per worker (or per handler thread).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hornet/sdk/detail/ip_allow_list.hpp"
#include "hornet/worker.h"

namespace hornet::sdk {

struct SchemeVerdict {
    std::string_view scheme; // "https", "http", or empty: no secure header present
    bool conflict = false;   // two headers disagree: answer 400
};

struct ProxySettings {
    IpAllowList forwarded_allow;
    std::vector<std::pair<std::string, std::string>> secure_scheme_headers;
    bool proxy_protocol = false;
    IpAllowList proxy_allow;

    static ProxySettings from(const hornet_worker_ctx_t* ctx);

    // What the request's secure_scheme_headers say (the caller checked that
    // the peer is trusted).
    SchemeVerdict scheme_of(const hornet_request_t& request) const;
};

} // namespace hornet::sdk
