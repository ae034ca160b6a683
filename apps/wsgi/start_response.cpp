// start_response(status, headers, exc_info=None) and write(data).
#include "start_response.hpp"

#include <string>
#include <atomic>
#include <charconv>
#include <string_view>
#include <strings.h>
#include <vector>

#include <structmember.h> // PyMemberDef flags (3.11)

#include "gil.hpp"
#include "hornet/support/http_syntax.hpp"
#include "hornet/support/text.hpp"

namespace hornet::wsgi {
namespace {

struct StartResponse {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    const hornet_host_t* host;
    hornet_exchange_t* x; // nullptr once detached
    const hornet_exchange_ops_t* ops;
    PyObject* headers;    // the app's list (or tuple), checked; owned
    PyObject* status_text; // the app's status str ("200 OK"); owned
    int status;
    bool started, head_sent;
    int64_t content_length; // the app's, or ours once offered, or -1
    int64_t app_length;     // the app's own Content-Length, or -1
    uint64_t written;
    int io_error;           // the first failed write or sendfile, or 0
    char offered[24];       // our Content-Length digits, if offered
    size_t offered_len;
};

StartResponse* self_of(PyObject* o) { return reinterpret_cast<StartResponse*>(o); }

// ---- checks at start_response time -----------------------------------------

bool parse_status(PyObject* status, int& code) {
    if (!PyUnicode_Check(status)) {
        PyErr_Format(PyExc_TypeError, "status must be a str like '200 OK', not %.100s", Py_TYPE(status)->tp_name);
        return false;
    }
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(status, &n);
    if (!s) return false;
    const bool ok = n >= 3 && (n == 3 || s[3] == ' ') && s[0] >= '1' && s[0] <= '9' && s[1] >= '0' &&
                    s[1] <= '9' && s[2] >= '0' && s[2] <= '9';
    if (!ok) {
        PyErr_Format(PyExc_ValueError, "status %R is not 'NNN reason' with a 3-digit code", status);
        return false;
    }
    code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return true;
}

// The latin-1 bytes of a header's str (PEP 3333: latin-1 only).
bool header_bytes(PyObject* s, std::string_view& out, PyRef& keep) {
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "header names and values must be str, not %.100s", Py_TYPE(s)->tp_name);
        return false;
    }
    if (PyUnicode_IS_ASCII(s)) { // the UTF-8 of an ASCII str is its own data: no copy
        out = std::string_view(static_cast<const char*>(PyUnicode_DATA(s)),
                               static_cast<size_t>(PyUnicode_GET_LENGTH(s)));
        return true;
    }
    keep = PyRef::steal(PyUnicode_AsLatin1String(s));
    if (!keep) return false;
    out = std::string_view(PyBytes_AS_STRING(keep.get()), static_cast<size_t>(PyBytes_GET_SIZE(keep.get())));
    return true;
}

bool pair_of(PyObject* item, PyObject*& name, PyObject*& value) {
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        PyErr_Format(PyExc_TypeError, "each header must be a (name, value) tuple, not %R", item);
        return false;
    }
    name = PyTuple_GET_ITEM(item, 0);
    value = PyTuple_GET_ITEM(item, 1);
    return true;
}

bool check_header(std::string_view name, std::string_view value, PyObject* item) {
    if (support::is_token(name) && value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos) return true;
    PyErr_Format(PyExc_ValueError, "invalid header %R: a token name, and no CR, LF or NUL in the value", item);
    return false;
}

bool parse_length(std::string_view value, int64_t& length) {
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc() && end == value.data() + value.size() && length >= 0) return true;
    PyErr_Format(PyExc_ValueError, "Content-Length %s is not a number of bytes", std::string(value).c_str());
    return false;
}

// Checks every header; finds Content-Length.
bool check_headers(PyObject* headers, int64_t& length) {
    if (!PyList_Check(headers) && !PyTuple_Check(headers)) {
        PyErr_Format(PyExc_TypeError, "headers must be a list of (name, value) tuples, not %.100s",
                     Py_TYPE(headers)->tp_name);
        return false;
    }
    length = -1;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(headers);
    for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* item = PySequence_Fast_GET_ITEM(headers, i);
        PyObject *name, *value;
        std::string_view n_bytes, v_bytes;
        PyRef keep_n, keep_v;
        if (!pair_of(item, name, value) || !header_bytes(name, n_bytes, keep_n) ||
            !header_bytes(value, v_bytes, keep_v) || !check_header(n_bytes, v_bytes, item))
            return false;
        if (support::iequals(n_bytes, "Content-Length") &&
            !parse_length(v_bytes, length))
            return false;
    }
    return true;
}

// ---- sending -------------------------------------------------------------------

std::atomic<bool> g_warned_overflow{false};

void warn_overflow(StartResponse* s) {
    if (g_warned_overflow.exchange(true)) return;
    static constexpr std::string_view kLine =
        "wsgi: the app sent more body bytes than its Content-Length; the excess is dropped (logged once)";
    s->host->log(s->host, HORNET_LOG_WARNING, hornet_str_t{kLine.data(), kLine.size()});
}

// hornet copies the headers in start(): the views only need to live until then.
int send_head(StartResponse* s) {
    if (s->head_sent) return HORNET_OK;
    if (!s->x) return HORNET_ECLOSED;
    thread_local std::vector<hornet_header_t> list;
    thread_local std::vector<PyRef> keep; // latin-1 copies of non-ASCII values
    list.clear();
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(s->headers);
    for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject *name, *value;
        std::string_view nb, vb;
        PyRef kn, kv;
        if (!pair_of(PySequence_Fast_GET_ITEM(s->headers, i), name, value) || !header_bytes(name, nb, kn) ||
            !header_bytes(value, vb, kv)) {
            PyErr_Clear(); // the app changed the list after start_response
            keep.clear();
            return HORNET_EINVAL;
        }
        if (kn) keep.push_back(std::move(kn));
        if (kv) keep.push_back(std::move(kv));
        list.push_back({{nb.data(), nb.size()}, {vb.data(), vb.size()}});
    }
    if (s->offered_len) list.push_back({{"Content-Length", 14}, {s->offered, s->offered_len}});
    const int rc = s->ops->start(s->x, s->status, list.data(), list.size());
    keep.clear();
    s->head_sent = true; // refused or not: no second try
    return rc;
}

// How much of len the app's Content-Length lets through.
size_t allowed(StartResponse* s, size_t len) {
    if (s->content_length < 0) return len;
    const uint64_t left = static_cast<uint64_t>(s->content_length) - std::min<uint64_t>(s->written, s->content_length);
    if (len <= left) return len;
    warn_overflow(s);
    return static_cast<size_t>(left);
}

// What write and sendfile share before sending: the head first, then how
// much of `len` may go (0: nothing, for 1xx/204/304 or past Content-Length),
// counted as written.
int take_body(StartResponse* s, uint64_t& len) {
    if (int rc = send_head(s); rc != HORNET_OK) return rc;
    if (!s->x) return HORNET_ECLOSED;
    len = support::status_has_body(s->status) ? allowed(s, static_cast<size_t>(len)) : 0;
    s->written += len;
    return HORNET_OK;
}

int note_io(StartResponse* s, int rc) {
    if (rc != HORNET_OK && !s->io_error) s->io_error = rc;
    return rc;
}

// ---- the Python side -----------------------------------------------------------

PyObject* sr_write(PyObject* o, PyObject* data);

PyMethodDef kWriteDef = {"write", method(sr_write), METH_O, "write(data): send body bytes now."};

bool parse_call_args(PyObject* const* args, size_t nargsf, PyObject* kwnames, PyObject* out[3]) {
    const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    out[0] = out[1] = nullptr;
    out[2] = Py_None;
    if (nargs > 3) {
        PyErr_Format(PyExc_TypeError, "start_response() takes at most 3 arguments (%zd given)", nargs);
        return false;
    }
    for (Py_ssize_t i = 0; i < nargs; ++i) out[i] = args[i];
    static const char* const kNames[3] = {"status", "headers", "exc_info"};
    for (Py_ssize_t k = 0; k < nkw; ++k) {
        const char* name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, k));
        int slot = -1;
        for (int j = 0; j < 3 && name; ++j)
            if (std::string_view(name) == kNames[j]) slot = j;
        if (slot < 0) {
            PyErr_Format(PyExc_TypeError, "start_response() got an unexpected keyword argument %R",
                         PyTuple_GET_ITEM(kwnames, k));
            return false;
        }
        out[slot] = args[nargs + k];
    }
    if (out[0] && out[1]) return true;
    PyErr_SetString(PyExc_TypeError, "start_response() needs status and headers");
    return false;
}

// PEP 3333: with exc_info after the head is out, re-raise the app's error.
bool allowed_again(StartResponse* s, PyObject* exc_info) {
    if (exc_info == Py_None) {
        if (!s->started) return true;
        PyErr_SetString(PyExc_AssertionError, "start_response() called again without exc_info");
        return false;
    }
    if (!s->head_sent) return true;
    if (!PyTuple_Check(exc_info) || PyTuple_GET_SIZE(exc_info) != 3) {
        PyErr_SetString(PyExc_TypeError, "exc_info must be a (type, value, traceback) tuple");
        return false;
    }
    PyObject* type = PyTuple_GET_ITEM(exc_info, 0);
    PyObject* value = PyTuple_GET_ITEM(exc_info, 1);
    PyObject* tb = PyTuple_GET_ITEM(exc_info, 2);
    Py_INCREF(type);
    Py_INCREF(value);
    Py_XINCREF(tb == Py_None ? nullptr : tb);
    PyErr_Restore(type, value, tb == Py_None ? nullptr : tb);
    return false;
}

PyObject* sr_call_body(PyObject* o, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
    StartResponse* s = self_of(o);
    PyObject* a[3];
    if (!parse_call_args(args, nargsf, kwnames, a) || !allowed_again(s, a[2])) return nullptr;
    int status = 0;
    int64_t length = -1;
    if (!parse_status(a[0], status) || !check_headers(a[1], length)) return nullptr;
    Py_INCREF(a[1]);
    Py_XSETREF(s->headers, a[1]);
    Py_INCREF(a[0]);
    Py_XSETREF(s->status_text, a[0]);
    s->status = status;
    s->content_length = length;
    s->app_length = length;
    s->offered_len = 0;
    s->started = true;
    return PyCFunction_New(&kWriteDef, o);
}

PyObject* sr_call(PyObject* o, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
    return py_guard([&] { return sr_call_body(o, args, nargsf, kwnames); });
}

PyObject* sr_write_body(PyObject* o, PyObject* data) {
    StartResponse* s = self_of(o);
    if (!PyBytes_Check(data)) {
        PyErr_Format(PyExc_TypeError, "write() takes bytes, not %.100s", Py_TYPE(data)->tp_name);
        return nullptr;
    }
    if (!s->started) {
        PyErr_SetString(PyExc_AssertionError, "write() called before start_response()");
        return nullptr;
    }
    Response r(o);
    int rc = r.flush_head();
    if (rc == HORNET_OK) rc = r.write(PyBytes_AS_STRING(data), static_cast<size_t>(PyBytes_GET_SIZE(data)));
    if (rc == HORNET_OK) Py_RETURN_NONE;
    PyErr_SetString(PyExc_OSError, rc == HORNET_EINVAL ? "the response head was refused (see the error log)"
                                                        : "client disconnected");
    return nullptr;
}

PyObject* sr_write(PyObject* o, PyObject* data) {
    return py_guard([&] { return sr_write_body(o, data); });
}

void sr_dealloc(PyObject* o) {
    PyTypeObject* type = Py_TYPE(o);
    Py_XDECREF(self_of(o)->headers);
    Py_XDECREF(self_of(o)->status_text);
    type->tp_free(o);
    Py_DECREF(type);
}

PyMemberDef kMembers[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(StartResponse, vectorcall), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

PyType_Slot kSlots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(sr_dealloc)},
    {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
    {Py_tp_members, kMembers},
    {0, nullptr},
};

PyType_Spec kSpec = {
    "hornet.wsgi.StartResponse", sizeof(StartResponse), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_DISALLOW_INSTANTIATION, kSlots,
};

} // namespace

PyRef make_start_response_type() { return PyRef::steal(PyType_FromSpec(&kSpec)); }

PyRef new_start_response(PyTypeObject* type, const hornet_host_t* host, hornet_exchange_t* x,
                         const hornet_exchange_ops_t* ops) {
    PyRef o = PyRef::steal(type->tp_alloc(type, 0)); // zeroed
    if (!o) return o;
    StartResponse* s = self_of(o.get());
    s->vectorcall = sr_call;
    s->host = host;
    s->x = x;
    s->ops = ops;
    s->content_length = -1;
    s->app_length = -1;
    return o;
}

bool Response::started() const { return self_of(o_)->started; }

int Response::status() const { return self_of(o_)->status; }

PyObject* Response::status_text() const { return self_of(o_)->status_text; }

PyObject* Response::headers() const { return self_of(o_)->headers; }

uint64_t Response::sent() const { return self_of(o_)->written; }

int64_t Response::app_length() const { return self_of(o_)->app_length; }

int64_t Response::length_left() const {
    const StartResponse* s = self_of(o_);
    const int64_t length = s->content_length;
    if (length < 0) return -1;
    return length - static_cast<int64_t>(std::min<uint64_t>(s->written, static_cast<uint64_t>(length)));
}

void Response::offer_length(uint64_t total) {
    StartResponse* s = self_of(o_);
    if (s->content_length >= 0 || s->head_sent || !support::status_has_body(s->status)) return;
    auto [end, ec] = std::to_chars(s->offered, s->offered + sizeof s->offered, total);
    s->offered_len = static_cast<size_t>(end - s->offered);
    s->content_length = static_cast<int64_t>(total);
}

int Response::io_error() const { return self_of(o_)->io_error; }

int Response::flush_head() { return send_head(self_of(o_)); }

int Response::write(const char* data, size_t len, std::string* later) {
    StartResponse* s = self_of(o_);
    if (int rc = take_body(s, len); rc != HORNET_OK || len == 0) return rc;
    if (later) {
        later->append(data, len);
        return HORNET_OK;
    }
    int rc;
    {
        GilRelease unlocked;
        rc = s->ops->write(s->x, data, len);
    }
    return note_io(s, rc);
}

int Response::sendfile(int fd, uint64_t offset, uint64_t len) {
    StartResponse* s = self_of(o_);
    if (int rc = take_body(s, len); rc != HORNET_OK || len == 0) return rc;
    int rc;
    {
        GilRelease unlocked;
        rc = s->ops->sendfile(s->x, fd, offset, len);
    }
    return note_io(s, rc);
}

void Response::detach() {
    StartResponse* s = self_of(o_);
    s->x = nullptr;
    s->ops = nullptr;
}

} // namespace hornet::wsgi
