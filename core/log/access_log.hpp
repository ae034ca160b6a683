// The access log: one line per answered request, Gunicorn's default format
//   %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"
// written with a single write(2) to an O_APPEND fd, so lines from many
// workers and threads never interleave. Opened by the arbiter, inherited by
// workers; write() may be called from any thread.
#pragma once

#include <string>

#include <hornet/worker.h>

namespace hornet {

class AccessLog {
public:
    // target: "" off, "-" stdout, else a file path. Throws std::runtime_error.
    explicit AccessLog(const std::string& target);
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    bool enabled() const { return fd_ >= 0; }
    void write(const hornet_access_record_t& record) const;

private:
    int fd_ = -1; // shared with every AccessLog of the same path; never closed
};

} // namespace hornet
