// apps/wsgi/file_wrapper.hpp: wsgi.file_wrapper, files sent with sendfile(2).
//
// FileWrapper(filelike, blksize=8192) is an iterable of blksize reads with a
// close() that closes the file (PEP 3333's optional extension). When the app
// returns one unwrapped, over a regular file with a descriptor, hornet sends
// the rest of the file from its current position (tell()) with sendfile,
// never copying it through Python; without a Content-Length from the app the
// file's remaining size becomes the Content-Length. Anything else (a pipe, a
// BytesIO, a wrapper inside middleware) is simply iterated.
#pragma once

#include "py_ref.hpp"
#include "python_shared.hpp"
#include "start_response.hpp"

namespace hornet::wsgi {

PyRef make_file_wrapper_type();

// If result is a FileWrapper (of `type`) over a regular file: sends it and
// returns true, with rc the hornet result. false: iterate result instead.
bool send_file_wrapper(PyObject* result, PyTypeObject* type, Response& response, int& rc);

} // namespace hornet::wsgi
