// The TLS of one generation: which listeners speak it and the hornet_tls_t
// (ABI 1.5) its workers get, built from the Config by the arbiter. check()
// loads every certificate with the SDK's loader (the one the workers use
// after fork), so that a bad file, a key mismatch or an expired certificate
// is one line (ConfigError) at --check-config, at start and at a reload,
// which then keeps the running generation. The session-ticket secret is
// made once per arbiter (random, in memory only) and is the same for every
// generation, so sessions resume across workers and across reloads.
// Views point into the Config given: it must outlive the plan.
#pragma once

#include <string>
#include <vector>

#include <hornet/worker.h>

#include "config/config.hpp"

namespace hornet {

struct TlsPlan {
    // Throws ConfigError: https:// without certfile, certificates without it.
    explicit TlsPlan(const Config& config);
    TlsPlan(const TlsPlan&) = delete;
    TlsPlan& operator=(const TlsPlan&) = delete;

    // Loads every certificate now, and refuses a worker type that does not
    // say it serves TLS (flags: its HORNET_WORKER_*); throws ConfigError
    // with one line.
    void check(const char* worker_name, uint32_t worker_flags) const;

    bool any() const { return any_; }
    // The bind entries without their scheme prefix (what the listeners bind).
    std::vector<std::string> specs;
    std::vector<unsigned char> listen_tls; // per spec: speaks TLS
    hornet_tls_t tls{};

private:
    std::vector<hornet_tls_cert_t> certs_;
    bool any_ = false;
};

// A listener's url for the log's "Listening at:" line: https:// when it
// speaks TLS.
std::string listening_url(const std::string& url, bool tls);

} // namespace hornet
