// wsgi.errors: write, writelines, flush.
#include "error_stream.hpp"

#include <string>

#include "gil.hpp"

namespace hornet::wsgi {
namespace {

struct ErrorStream {
    PyObject_HEAD
    const hornet_host_t* host;
    std::string* pending; // the unfinished last line
};

ErrorStream* self_of(PyObject* o) { return reinterpret_cast<ErrorStream*>(o); }

// Logs every line of `text` (no trailing newline), with the GIL dropped.
void log_lines(const hornet_host_t* host, const std::string& text) {
    GilRelease unlocked;
    size_t begin = 0;
    while (begin <= text.size()) {
        size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        host->log(host, HORNET_LOG_ERROR, hornet_str_t{text.data() + begin, end - begin});
        begin = end + 1;
    }
}

// Takes the complete lines out of `pending` (under the GIL) and logs them.
void emit_complete(ErrorStream* s) {
    const size_t last = s->pending->rfind('\n');
    if (last == std::string::npos) return;
    std::string lines = s->pending->substr(0, last);
    s->pending->erase(0, last + 1);
    log_lines(s->host, lines);
}

bool append(ErrorStream* s, PyObject* text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "wsgi.errors.write() takes str, not %.100s", Py_TYPE(text)->tp_name);
        return false;
    }
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(text, &n);
    if (!p) return false;
    s->pending->append(p, static_cast<size_t>(n));
    return true;
}

PyObject* es_write_body(PyObject* o, PyObject* text) {
    ErrorStream* s = self_of(o);
    if (!append(s, text)) return nullptr;
    emit_complete(s);
    return PyLong_FromSsize_t(PyUnicode_GetLength(text));
}

PyObject* es_write(PyObject* o, PyObject* text) {
    return py_guard([&] { return es_write_body(o, text); });
}

PyObject* es_writelines_body(PyObject* o, PyObject* seq) {
    ErrorStream* s = self_of(o);
    PyRef it = PyRef::steal(PyObject_GetIter(seq));
    if (!it) return nullptr;
    while (PyRef item = PyRef::steal(PyIter_Next(it.get()))) {
        if (!append(s, item.get())) return nullptr;
    }
    if (PyErr_Occurred()) return nullptr;
    emit_complete(s);
    Py_RETURN_NONE;
}

PyObject* es_writelines(PyObject* o, PyObject* seq) {
    return py_guard([&] { return es_writelines_body(o, seq); });
}

PyObject* es_flush_body(PyObject* o, PyObject*) {
    ErrorStream* s = self_of(o);
    if (!s->pending->empty()) {
        std::string line;
        line.swap(*s->pending);
        log_lines(s->host, line);
    }
    Py_RETURN_NONE;
}

PyObject* es_flush(PyObject* o, PyObject*) {
    return py_guard([&] { return es_flush_body(o, nullptr); });
}

void es_dealloc(PyObject* o) {
    PyTypeObject* type = Py_TYPE(o);
    delete self_of(o)->pending;
    type->tp_free(o);
    Py_DECREF(type);
}

PyMethodDef kMethods[] = {
    {"write", method(es_write), METH_O, "Log text; each complete line is one error-log entry."},
    {"writelines", method(es_writelines), METH_O, "write() each string of an iterable."},
    {"flush", method(es_flush), METH_NOARGS, "Log a pending partial line."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kSlots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(es_dealloc)},
    {Py_tp_methods, kMethods},
    {0, nullptr},
};

PyType_Spec kSpec = {
    "hornet.wsgi.ErrorStream", sizeof(ErrorStream), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, kSlots,
};

} // namespace

PyRef make_error_stream_type() { return PyRef::steal(PyType_FromSpec(&kSpec)); }

PyRef new_error_stream(PyTypeObject* type, const hornet_host_t* host) {
    PyRef o = PyRef::steal(type->tp_alloc(type, 0));
    if (!o) return o;
    self_of(o.get())->host = host;
    self_of(o.get())->pending = new std::string();
    return o;
}

void flush_error_stream(PyObject* stream) {
    if (self_of(stream)->pending->empty()) return;
    PyRef none = PyRef::steal(es_flush(stream, nullptr));
}

} // namespace hornet::wsgi
