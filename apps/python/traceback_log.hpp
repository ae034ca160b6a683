// apps/python/traceback_log.hpp: the pending Python exception into hornet's
// error log, or into one line.
//
// Called with the GIL held and an exception set.
#pragma once

#include <string>
#include <string_view>

#include "hornet/host.h"

namespace hornet::python {

// Logs `context`, then the whole traceback, as one ERROR entry (the GIL is
// dropped while the host writes it). Clears the exception.
void log_traceback(const hornet_host_t* host, std::string_view context);

// "ExceptionType: message" of the pending exception, for one-line errors.
// Leaves the exception set.
std::string exception_summary();

} // namespace hornet::python
