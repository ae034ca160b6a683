// apps/wsgi/error_stream.hpp: wsgi.errors, a text stream into hornet's error
// log.
//
// One object per process, shared by every request (PEP 3333 allows it):
// write() logs each complete line as one ERROR entry; a partial line waits
// for its newline or for flush(). Lines written by different threads at the
// same time may interleave, as they would on sys.stderr.
#pragma once

#include "py_ref.hpp"
#include "python_shared.hpp"
#include "hornet/host.h"

namespace hornet::wsgi {

// The type, made once per interpreter (a heap type, so it dies with it).
PyRef make_error_stream_type();

// A new stream writing through host->log; nullptr with an exception set.
PyRef new_error_stream(PyTypeObject* type, const hornet_host_t* host);

// Logs a pending partial line (at the end of each request).
void flush_error_stream(PyObject* stream);

} // namespace hornet::wsgi
