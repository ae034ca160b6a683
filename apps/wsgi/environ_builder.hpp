// apps/wsgi/environ_builder.hpp: the PEP 3333 environ of one request.
//
// Built in C++ from the hornet_request_t: a dict presized for the request,
// keys interned once per process, the per-process constants (wsgi.version,
// wsgi.errors, wsgi.multithread, ...) made once, and small caches for what
// repeats between requests (method, addresses, header names). Choices:
//   - SCRIPT_NAME is app_config.script_name (never a client header); PATH_INFO
//     is the percent-decoded path (latin-1, per PEP 3333) after it. A path
//     outside script_name is answered 404 by the caller (see mounted()).
//   - HTTP_* for every header whose name has no '_' (as Gunicorn: no
//     spoofing "X_Forwarded_For" as "X-Forwarded-For"); repeated headers
//     joined with ",", Cookie with "; ". Content-Type and Content-Length
//     become CONTENT_TYPE / CONTENT_LENGTH only.
//   - On a unix socket SERVER_NAME is the socket path and SERVER_PORT the
//     scheme's default port, REMOTE_ADDR is "" (as Gunicorn).
//   - wsgi.input_terminated is True for a chunked body (no CONTENT_LENGTH):
//     read it to the end (Werkzeug's extension, set as its own server does;
//     Gunicorn sets it always). RAW_URI is the target as sent.
// Everything here runs with the GIL held.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hornet/app.h"
#include "py_ref.hpp"
#include "python_shared.hpp"

namespace hornet::wsgi {

struct EnvironConstants {
    PyObject* errors;       // wsgi.errors
    PyObject* file_wrapper; // wsgi.file_wrapper
    bool multithread;
    bool multiprocess;
    std::string script_name;
};

class EnvironBuilder {
public:
    // Throws WsgiError if Python cannot make the keys (out of memory).
    explicit EnvironBuilder(const EnvironConstants& constants);
    ~EnvironBuilder();
    EnvironBuilder(const EnvironBuilder&) = delete;
    EnvironBuilder& operator=(const EnvironBuilder&) = delete;

    // Is the request's path under script_name?
    bool mounted(const hornet_request_t& r);

    // A new environ dict; nullptr with an exception set.
    PyRef build(const hornet_request_t& r, PyObject* input);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace hornet::wsgi
