// wsgi.input: read, readline, readlines, iteration.
#include "input_stream.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "gil.hpp"

namespace hornet::wsgi {
namespace {

constexpr size_t kPiece = 64 * 1024; // readline's read-ahead; read()'s first guess

struct InputStream {
    PyObject_HEAD
    hornet_exchange_t* x; // nullptr once detached
    const hornet_exchange_ops_t* ops;
    int64_t remaining;    // body bytes not yet read from hornet; -1 unknown
    char* buf;            // read-ahead (PyMem), [pos, end) unread
    size_t pos, end;
    bool eof;
    bool busy;            // a read is in progress with the GIL dropped
    int error;            // HORNET_E* of the failed read, or 0
};

InputStream* self_of(PyObject* o) { return reinterpret_cast<InputStream*>(o); }

const char* describe(int error) {
    switch (error) {
    case HORNET_ETOOBIG: return "request body larger than limit_request_body";
    case HORNET_ECLOSED: return "client closed the connection before the body was complete";
    default: return "reading the request body failed (timeout or bad framing)";
    }
}

// Up to cap bytes from hornet: >0 read, 0 at the end, -1 with an exception.
Py_ssize_t pull(InputStream* s, char* dst, size_t cap) {
    if (s->eof) return 0;
    if (!s->x) {
        PyErr_SetString(PyExc_ValueError, "wsgi.input used after the response ended");
        return -1;
    }
    if (s->busy) {
        PyErr_SetString(PyExc_RuntimeError, "wsgi.input is being read by another thread");
        return -1;
    }
    s->busy = true;
    ptrdiff_t n;
    {
        GilRelease unlocked;
        n = s->ops->read(s->x, dst, cap);
    }
    s->busy = false;
    if (n == 0) s->eof = true;
    if (n > 0 && s->remaining >= 0) s->remaining -= std::min<int64_t>(n, s->remaining);
    if (n >= 0) return n;
    s->error = static_cast<int>(n);
    PyErr_SetString(PyExc_OSError, describe(s->error));
    return -1;
}

size_t buffered(const InputStream* s) { return s->end - s->pos; }

size_t take_buffered(InputStream* s, char* dst, size_t cap) {
    const size_t n = std::min(cap, buffered(s));
    if (n) std::memcpy(dst, s->buf + s->pos, n);
    s->pos += n;
    return n;
}

// Refills the (empty) read-ahead: >0, 0 at the end, -1 with an exception.
Py_ssize_t refill(InputStream* s) {
    if (!s->buf && !(s->buf = static_cast<char*>(PyMem_Malloc(kPiece)))) {
        PyErr_NoMemory();
        return -1;
    }
    s->pos = s->end = 0;
    const Py_ssize_t n = pull(s, s->buf, kPiece);
    if (n > 0) s->end = static_cast<size_t>(n);
    return n;
}

// size < 0: "all"; None too.
bool size_arg(PyObject* const* args, Py_ssize_t nargs, const char* name, Py_ssize_t& size) {
    size = -1;
    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most 1 argument (%zd given)", name, nargs);
        return false;
    }
    if (nargs == 0 || args[0] == Py_None) return true;
    size = PyLong_AsSsize_t(args[0]);
    return !(size == -1 && PyErr_Occurred());
}

size_t first_guess(const InputStream* s, size_t want) {
    size_t guess = s->remaining >= 0 ? static_cast<size_t>(s->remaining) + buffered(s) : kPiece;
    return std::max<size_t>(1, std::min(want, guess));
}

// Reads until `want` bytes or the end, into a bytes object grown as needed.
PyObject* read_up_to(InputStream* s, size_t want) {
    if (want == 0) return PyBytes_FromStringAndSize(nullptr, 0);
    size_t alloc = first_guess(s, want);
    PyObject* out = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(alloc));
    if (!out) return nullptr;
    size_t got = take_buffered(s, PyBytes_AS_STRING(out), alloc);
    while (got < want) {
        if (got == alloc) {
            alloc = std::min(want, alloc * 2);
            if (_PyBytes_Resize(&out, static_cast<Py_ssize_t>(alloc)) != 0) return nullptr;
        }
        const Py_ssize_t n = pull(s, PyBytes_AS_STRING(out) + got, alloc - got);
        if (n < 0) {
            Py_DECREF(out);
            return nullptr;
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    if (got != alloc && _PyBytes_Resize(&out, static_cast<Py_ssize_t>(got)) != 0) return nullptr;
    return out;
}

// One line (with its '\n'), at most `limit` bytes; b"" at the end.
PyObject* read_line(InputStream* s, size_t limit) {
    std::string line; // only for a line that spans read-aheads
    for (;;) {
        const size_t room = limit - line.size();
        const size_t avail = std::min(buffered(s), room);
        const char* start = s->buf ? s->buf + s->pos : nullptr;
        const void* nl = avail ? std::memchr(start, '\n', avail) : nullptr;
        const size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) + 1 : avail;
        if (line.empty() && (nl || take == room)) { // the common case: no copy
            s->pos += take;
            return PyBytes_FromStringAndSize(start, static_cast<Py_ssize_t>(take));
        }
        line.append(start ? start : "", take);
        s->pos += take;
        if (nl || line.size() == limit) break;
        const Py_ssize_t n = refill(s);
        if (n < 0) return nullptr;
        if (n == 0) break;
    }
    return PyBytes_FromStringAndSize(line.data(), static_cast<Py_ssize_t>(line.size()));
}

size_t as_limit(Py_ssize_t size) { return size < 0 ? SIZE_MAX : static_cast<size_t>(size); }

PyObject* in_read_body(PyObject* o, PyObject* const* args, Py_ssize_t nargs) {
    Py_ssize_t size;
    if (!size_arg(args, nargs, "read", size)) return nullptr;
    return read_up_to(self_of(o), as_limit(size));
}

PyObject* in_read(PyObject* o, PyObject* const* args, Py_ssize_t nargs) {
    return py_guard([&] { return in_read_body(o, args, nargs); });
}

PyObject* in_readline_body(PyObject* o, PyObject* const* args, Py_ssize_t nargs) {
    Py_ssize_t size;
    if (!size_arg(args, nargs, "readline", size)) return nullptr;
    return read_line(self_of(o), as_limit(size));
}

PyObject* in_readline(PyObject* o, PyObject* const* args, Py_ssize_t nargs) {
    return py_guard([&] { return in_readline_body(o, args, nargs); });
}

PyObject* in_readlines_body(PyObject* o, PyObject* const* args, Py_ssize_t nargs) {
    Py_ssize_t hint;
    if (!size_arg(args, nargs, "readlines", hint)) return nullptr;
    PyRef lines = PyRef::steal(PyList_New(0));
    if (!lines) return nullptr;
    size_t total = 0;
    for (;;) {
        PyRef line = PyRef::steal(read_line(self_of(o), SIZE_MAX));
        if (!line) return nullptr;
        if (PyBytes_GET_SIZE(line.get()) == 0) break;
        total += static_cast<size_t>(PyBytes_GET_SIZE(line.get()));
        if (PyList_Append(lines.get(), line.get()) != 0) return nullptr;
        if (hint > 0 && total >= static_cast<size_t>(hint)) break;
    }
    return lines.release();
}

PyObject* in_readlines(PyObject* o, PyObject* const* args, Py_ssize_t nargs) {
    return py_guard([&] { return in_readlines_body(o, args, nargs); });
}

PyObject* in_next_body(PyObject* o) {
    PyObject* line = read_line(self_of(o), SIZE_MAX);
    if (line && PyBytes_GET_SIZE(line) == 0) {
        Py_DECREF(line);
        return nullptr; // StopIteration
    }
    return line;
}

PyObject* in_next(PyObject* o) {
    return py_guard([&] { return in_next_body(o); });
}

void in_dealloc(PyObject* o) {
    PyTypeObject* type = Py_TYPE(o);
    PyMem_Free(self_of(o)->buf);
    type->tp_free(o);
    Py_DECREF(type);
}

PyMethodDef kMethods[] = {
    {"read", method(in_read), METH_FASTCALL, "read([size]) -> bytes: size bytes, fewer only at the end."},
    {"readline", method(in_readline), METH_FASTCALL, "readline([size]) -> one line, with its newline."},
    {"readlines", method(in_readlines), METH_FASTCALL, "readlines([hint]) -> list of lines."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kSlots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(in_dealloc)},
    {Py_tp_methods, kMethods},
    {Py_tp_iter, reinterpret_cast<void*>(PyObject_SelfIter)},
    {Py_tp_iternext, reinterpret_cast<void*>(in_next)},
    {0, nullptr},
};

PyType_Spec kSpec = {
    "hornet.wsgi.InputStream", sizeof(InputStream), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, kSlots,
};

} // namespace

PyRef make_input_stream_type() { return PyRef::steal(PyType_FromSpec(&kSpec)); }

PyRef new_input_stream(PyTypeObject* type, hornet_exchange_t* x, const hornet_exchange_ops_t* ops,
                       int64_t content_length) {
    PyRef o = PyRef::steal(type->tp_alloc(type, 0)); // zeroed
    if (!o) return o;
    InputStream* s = self_of(o.get());
    s->x = x;
    s->ops = ops;
    s->remaining = content_length;
    s->eof = content_length == 0;
    return o;
}

void detach_input_stream(PyObject* stream) {
    InputStream* s = self_of(stream);
    s->x = nullptr;
    s->ops = nullptr;
}

int input_stream_error(PyObject* stream) { return self_of(stream)->error; }

} // namespace hornet::wsgi
