// How the arbiter's signals reach a worker type: TERM asks for a graceful
// stop, INT and QUIT for an immediate one. The handlers only record the mode
// and make stop_fd readable (a pipe nobody drains), which every worker type
// already polls. Installed once in each worker process, right after fork.
#pragma once

#include <hornet/worker.h>

namespace hornet::stop_signal {

// Installs the handlers; returns the fd that becomes readable on a stop.
int install();
// HORNET_STOP_NONE, _GRACEFUL or _NOW.  [any thread]
int mode();
// Asks for a stop from inside the worker (e.g. the arbiter went away).
void request(int mode);

} // namespace hornet::stop_signal
