// The access log: one line per answered request, in access_log_format
// (Gunicorn's atoms; its default
//   %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"
// unless configured), compiled once (access_log_format.hpp) and written with
// a single write(2) to an O_APPEND fd, so lines from many workers and
// threads never interleave. Opened by the arbiter, inherited by workers;
// every worker type hands the same record, so every one logs alike.
// write() may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include <hornet/worker.h>

#include "log/access_log_format.hpp"

namespace hornet {

class AccessLog {
public:
    // target: "" off, "-" stdout, else a file path. Throws std::runtime_error
    // (std::invalid_argument for a bad format).
    explicit AccessLog(const std::string& target, std::string_view format = kDefaultAccessLogFormat);
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    bool enabled() const { return fd_ >= 0; }
    void write(const hornet_access_record_t& record) const;

private:
    AccessLogFormat format_;
    int fd_ = -1; // shared with every AccessLog of the same path; never closed
};

} // namespace hornet
