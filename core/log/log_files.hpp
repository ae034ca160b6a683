// The log files a process writes (error log, access log), each behind a
// stable fd number, so that USR1 can reopen them after logrotate moved them:
// open the path anew and dup2() it over the old number. Every writer keeps
// using the same fd and never notices. reopen_log_files() is
// async-signal-safe, so a worker may call it from its USR1 handler.
#pragma once

#include <string>

namespace hornet {

// The fd for this path (opened O_APPEND, created 0644), shared by every
// caller asking for the same path. Throws std::runtime_error naming it.
int open_log_file(const std::string& path);

// [signal handler] Reopens every file opened above; failures leave the old
// file in place.
void reopen_log_files();

} // namespace hornet
