// apps/wsgi/input_stream.hpp: wsgi.input, the request body as a file.
//
// read(size), readline(size), readlines(hint) and iteration, straight from
// the exchange's blocking read() with the GIL dropped. read(n) returns n
// bytes unless the body ends first (as Gunicorn's, which apps rely on);
// readline reads ahead in 64 KiB pieces. Body framing (Content-Length,
// chunked) is the worker's: the stream just ends. After the response the
// stream is detached, and any use raises ValueError rather than touch a
// finished exchange.
#pragma once

#include "hornet/app.h"
#include "py_ref.hpp"
#include "python_shared.hpp"

namespace hornet::wsgi {

PyRef make_input_stream_type();

// A stream on the body of x; nullptr with an exception set.
PyRef new_input_stream(PyTypeObject* type, hornet_exchange_t* x, const hornet_exchange_ops_t* ops,
                       int64_t content_length);

// The request has ended: forget the exchange.
void detach_input_stream(PyObject* stream);

// The hornet error (HORNET_E*) the last read hit, or 0: a client that went
// away or sent too much is not an application bug.
int input_stream_error(PyObject* stream);

} // namespace hornet::wsgi
