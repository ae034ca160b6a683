// apps/wsgi/response_sender.hpp: the app's return value, out to the client.
//
// PEP 3333's order: iterate the result; the head leaves with the first
// non-empty bytes (or at the end); close() is called on the result whatever
// happens, and an error in close() is reported like the app's own. Fast
// paths, both invisible to the app:
//   - a list or tuple of bytes is walked by index (no iterator) and, when the
//     app set no Content-Length, gets one: the sum of its items. Gunicorn
//     does not do this; it saves chunked framing and keeps the connection
//     reusable. Not for an empty body on HEAD (an app may return [] for
//     HEAD), not for statuses without a body.
//     A small one (up to 64 KiB, the common single-item body) is gathered
//     into `later` rather than written: the caller writes it after dropping
//     the GIL for good, with finish(), so a request takes and drops the GIL
//     once instead of twice (under gthread each hand-over is a wake-up).
//   - a wsgi.file_wrapper over a regular file goes out with sendfile.
#pragma once

#include <string>

#include "py_ref.hpp"
#include "python_shared.hpp"
#include "start_response.hpp"

namespace hornet::wsgi {

struct SendResult {
    int rc = HORNET_OK;        // hornet's verdict on the I/O
    bool python_error = false; // a Python exception is set (the app's, or a misuse)
};

SendResult send_response(PyObject* result, Response& response, PyTypeObject* file_wrapper_type,
                         bool head_request, std::string& later);

} // namespace hornet::wsgi
