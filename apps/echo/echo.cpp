// apps/echo/echo.cpp: answers 200 text/plain with the request it received.
//
// The body is: "METHOD TARGET HTTP/1.x", each request header as
// "Name: value", a blank line (CRLF line ends, like the request), then the
// request body streamed back in 64 KiB pieces as it is read: chunked, never
// holding the whole body. Blocking reads, so THREAD_SAFE but not NONBLOCKING.
// A C++ app: everything that crosses stays C, and no exception leaves handle().
#include <cstddef>
#include <exception>
#include <memory>
#include <string>

#include "hornet/app.h"
#include "hornet/support/text.hpp"

namespace {

constexpr size_t kPiece = 64 * 1024;

using hornet::support::view;

std::string describe(const hornet_request_t& r) {
    std::string out;
    out.reserve(256);
    out.append(view(r.method)).append(" ").append(view(r.target));
    out.append(r.version == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    for (size_t i = 0; i < r.header_count; ++i)
        out.append(view(r.headers[i].name)).append(": ").append(view(r.headers[i].value)).append("\r\n");
    out.append("\r\n");
    return out;
}

// The description, then body bytes back as they arrive; the first failure is
// the result. The description waits for the first read: a client that sent
// Expect: 100-continue gets its 100 before our head, not a 1 s stall; and a
// body refused at once (400, 413) is answered as such, not cut short.
int pump(hornet_exchange_t* x, const hornet_exchange_ops_t* ops, const std::string& description) {
    thread_local std::unique_ptr<char[]> piece(new char[kPiece]);
    bool described = false;
    for (;;) {
        const ptrdiff_t n = ops->read(x, piece.get(), kPiece);
        if (n < 0) return static_cast<int>(n);
        if (!described) {
            described = true;
            if (int rc = ops->write(x, description.data(), description.size()); rc != HORNET_OK) return rc;
        }
        if (n <= 0) return static_cast<int>(n);
        if (int rc = ops->write(x, piece.get(), static_cast<size_t>(n)); rc != HORNET_OK) return rc;
    }
}

int respond(hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    const hornet_request_t* r = ops->request(x);
    if (!r) return HORNET_EINTERNAL;
    static const hornet_header_t headers[] = {{{"Content-Type", 12}, {"text/plain", 10}}};
    if (int rc = ops->start(x, 200, headers, 1); rc != HORNET_OK) return rc;
    return pump(x, ops, describe(*r));
}

int echo_create(const hornet_host_t*, void** instance, char*, size_t) {
    *instance = nullptr;
    return 0;
}

void echo_destroy(void*) {}

int echo_handle(void*, hornet_exchange_t* x, const hornet_exchange_ops_t* ops) {
    int rc = HORNET_EINTERNAL;
    try {
        rc = respond(x, ops);
    } catch (const std::exception&) {
        rc = HORNET_ENOMEM; // only allocation can throw here
    }
    ops->finish(x, rc);
    return HORNET_DONE;
}

const hornet_app_t kEcho = {
    .head = HORNET_HEAD_INIT(hornet_app_t),
    .name = "echo",
    .version = "1.0.0",
    .flags = HORNET_APP_THREAD_SAFE,
    .create = echo_create,
    .destroy = echo_destroy,
    .worker_start = nullptr,
    .worker_exit = nullptr,
    .handle = echo_handle,
    .check_config = nullptr,
    .dump_stacks = nullptr,
};

} // namespace

extern "C" HORNET_EXPORT const hornet_app_t* hornet_app_entry(uint32_t, uint32_t) { return &kEcho; }
