// apps/wsgi/start_response.hpp: start_response and the write() callable.
//
// One StartResponse object per request is what the app gets as
// start_response. It checks status and headers when called (so the app sees
// a TypeError/ValueError at its own line, as PEP 3333 asks), keeps them, and
// sends the head to hornet only with the first non-empty body bytes or at the
// end of the response (PEP 3333's rule, which lets an app change its mind
// with exc_info). The returned write() callable forces the head out.
//
// The app's Content-Length is honoured: body bytes past it are dropped with a
// warning (once per process), as Gunicorn does. Without one, the response
// sender may offer a length (offer_length) for bodies it knows in full;
// hornet chunks the rest. Custom reason phrases are not kept: hornet derives
// the phrase from the status code.
//
// Everything here runs with the GIL held; hornet calls that may block
// (write, sendfile) drop it.
#pragma once

#include <cstdint>
#include <string>

#include "hornet/app.h"
#include "py_ref.hpp"
#include "python_shared.hpp"

namespace hornet::wsgi {

PyRef make_start_response_type();

PyRef new_start_response(PyTypeObject* type, const hornet_host_t* host, hornet_exchange_t* x,
                         const hornet_exchange_ops_t* ops);

// The C++ side, for the response sender and the request flow.
class Response {
public:
    explicit Response(PyObject* start_response) : o_(start_response) {}

    bool started() const;       // start_response has been called
    int status() const;         // valid once started()
    // For Gunicorn's post_request hook, valid once started(): borrowed
    // references to the app's status str and headers list, the body bytes
    // let through so far, and the app's own Content-Length (-1: none).
    PyObject* status_text() const;
    PyObject* headers() const;
    uint64_t sent() const;
    int64_t app_length() const;
    int64_t length_left() const; // bytes the app's Content-Length still allows; -1: no length

    // Sets Content-Length: total unless the app set one, the head is out or
    // the status has no body.
    void offer_length(uint64_t total);

    // Body bytes (the head first). HORNET_OK, or the HORNET_E* that ended the
    // response (then Python has no exception set). With `later`, the bytes
    // are appended there instead, for the caller to write once the GIL is
    // dropped (see response_sender.hpp).
    int write(const char* data, size_t len, std::string* later = nullptr);
    // len bytes of fd from offset, with sendfile(2).
    int sendfile(int fd, uint64_t offset, uint64_t len);
    // The first hornet error a write or sendfile hit (the client went away), or 0.
    int io_error() const;
    // The head if it is not out yet: before finish().
    int flush_head();

    // The request is over: forget the exchange.
    void detach();

private:
    PyObject* o_;
};

} // namespace hornet::wsgi
