// apps/python/hornet_module.hpp: the `hornet` module a Python app imports for
// what the server offers beyond WSGI. Today: counters of the app's own,
// through the host's "hornet.metrics/1", shown on the arbiter's /metrics as
// hornet_app_<name>_total and sent to statsd as <prefix>app.<name>:
//
//     import hornet
//     jobs = hornet.Counter("jobs_done", "Jobs the app finished")
//     jobs.inc()        # or jobs.inc(5)
//
// Counter(name, help="") finds or registers the counter (the same name in
// every worker is one counter); it raises ValueError for a bad name and
// RuntimeError when the table is full. Made at module level, it is
// registered when the app is imported (in the arbiter with preload_app).
// inc(n=1) adds n >= 0; under an older host (no extension) it does nothing.
#pragma once

#include "hornet/app.h"

namespace hornet::python {

// [GIL held] Puts the module in sys.modules, before the app is imported.
// Throws PythonError with one line.
void install_hornet_module(const hornet_host_t* host);

} // namespace hornet::python
