// The C ops table shared by every Exchange: each shim checks the handle,
// calls the virtual and keeps exceptions on this side of the ABI.
#include "hornet/sdk/exchange.hpp"

#include "hornet/support/abi_guard.hpp"
#include "hornet/sdk/request_parser.hpp"
#include "websocket_channel.hpp"

namespace hornet::sdk {
namespace {

Exchange* self(hornet_exchange_t* x) { return Exchange::from(x); }
const hornet_host_t* host_of(hornet_exchange_t* x) { return self(x)->host(); }

const hornet_request_t* op_request(hornet_exchange_t* x) {
    if (!x) return nullptr;
    return support::guarded(host_of(x), "exchange request()", static_cast<const hornet_request_t*>(nullptr),
                   [&] { return self(x)->request(); });
}

int op_find_header(hornet_exchange_t* x, hornet_str_t name, hornet_str_t* value) {
    if (!x || (!name.ptr && name.len)) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange find_header()", int{HORNET_EINTERNAL}, [&] {
        const hornet_request_t* r = self(x)->request();
        return r && find_header(*r, {name.ptr, name.len}, value) ? HORNET_OK : HORNET_ENOENT;
    });
}

ptrdiff_t op_read(hornet_exchange_t* x, void* buf, size_t cap) {
    if (!x || !buf || cap == 0) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange read()", ptrdiff_t{HORNET_EINTERNAL},
                   [&] { return self(x)->read(buf, cap); });
}

int op_read_async(hornet_exchange_t* x, void* buf, size_t cap, hornet_done_fn done, void* ud) {
    if (!x || !buf || cap == 0 || !done) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange read_async()", int{HORNET_EINTERNAL},
                   [&] { return self(x)->read_async(buf, cap, done, ud); });
}

int op_start(hornet_exchange_t* x, int status, const hornet_header_t* headers, size_t count) {
    if (!x || (!headers && count)) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange start()", int{HORNET_EINTERNAL},
                   [&] { return self(x)->start(status, headers, count); });
}

int op_write(hornet_exchange_t* x, const void* data, size_t len) {
    if (!x || (!data && len)) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange write()", int{HORNET_EINTERNAL},
                   [&] { return self(x)->write(data, len); });
}

int op_write_async(hornet_exchange_t* x, const void* data, size_t len, hornet_done_fn done, void* ud) {
    if (!x || (!data && len) || !done) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange write_async()", int{HORNET_EINTERNAL},
                   [&] { return self(x)->write_async(data, len, done, ud); });
}

int op_sendfile(hornet_exchange_t* x, int fd, uint64_t offset, uint64_t len) {
    if (!x || fd < 0) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange sendfile()", int{HORNET_EINTERNAL},
                   [&] { return self(x)->sendfile(fd, offset, len); });
}

int op_finish(hornet_exchange_t* x, int error) {
    if (!x) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange finish()", int{HORNET_EINTERNAL}, [&] {
        // A WebSocket closes (and writes what it holds) before the connection ends.
        if (WebSocketChannel* ws = self(x)->websocket()) return ws->finish(error);
        return self(x)->finish(error);
    });
}

int op_watch_peer(hornet_exchange_t* x, hornet_done_fn done, void* ud) {
    if (!x || !done) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange watch_peer()", int{HORNET_EINTERNAL},
                   [&] { return self(x)->watch_peer(done, ud); });
}

int op_trailers(hornet_exchange_t* x, const hornet_header_t* fields, size_t count) {
    if (!x || (!fields && count)) return HORNET_EINVAL;
    return support::guarded(host_of(x), "exchange trailers()", int{HORNET_EINTERNAL},
                   [&] { return self(x)->trailers(fields, count); });
}

const hornet_exchange_ops_t kOps = {
    .head = HORNET_HEAD_INIT(hornet_exchange_ops_t),
    .request = op_request,
    .find_header = op_find_header,
    .read = op_read,
    .read_async = op_read_async,
    .start = op_start,
    .write = op_write,
    .write_async = op_write_async,
    .sendfile = op_sendfile,
    .finish = op_finish,
    .watch_peer = op_watch_peer,
    .trailers = op_trailers,
};

} // namespace

const hornet_exchange_ops_t* exchange_ops() { return &kOps; }

} // namespace hornet::sdk
