// Iterating the app's result into hornet's write().
#include "response_sender.hpp"

#include "file_wrapper.hpp"

namespace hornet::wsgi {
namespace {

constexpr int64_t kGatherLimit = 64 * 1024;

// One item of the body. false: a Python exception is set.
bool send_item(PyObject* item, Response& response, int& rc, std::string* later = nullptr) {
    if (!PyBytes_Check(item)) {
        PyErr_Format(PyExc_TypeError, "the response iterable yielded %.100s; it must yield bytes",
                     Py_TYPE(item)->tp_name);
        return false;
    }
    const Py_ssize_t n = PyBytes_GET_SIZE(item);
    if (n == 0) return true; // PEP 3333: empty bytes never force the head out
    if (!response.started()) {
        PyErr_SetString(PyExc_RuntimeError, "the app yielded body bytes before calling start_response()");
        return false;
    }
    rc = response.write(PyBytes_AS_STRING(item), static_cast<size_t>(n), later);
    return true;
}

// The total size if every item is bytes, else -1.
int64_t total_of(PyObject* seq) {
    int64_t total = 0;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyBytes_Check(item)) return -1;
        total += PyBytes_GET_SIZE(item);
    }
    return total;
}

SendResult send_sequence(PyObject* seq, Response& response, bool head_request, std::string& later) {
    SendResult r;
    const int64_t total = response.started() ? total_of(seq) : -1;
    // For HEAD only a body that is there: an app may return [] for HEAD.
    if (total > 0 || (total == 0 && !head_request)) response.offer_length(static_cast<uint64_t>(total));
    if (total >= 0 && total <= kGatherLimit) {
        for (Py_ssize_t i = 0; r.rc == HORNET_OK && i < PySequence_Fast_GET_SIZE(seq); ++i)
            send_item(PySequence_Fast_GET_ITEM(seq, i), response, r.rc, &later); // all bytes: cannot fail
        return r;
    }
    // By index, re-reading the size: another Python thread may run while a
    // write has the GIL dropped, and the item is held across it.
    for (Py_ssize_t i = 0; r.rc == HORNET_OK && i < PySequence_Fast_GET_SIZE(seq); ++i) {
        PyRef item = PyRef::borrow(PySequence_Fast_GET_ITEM(seq, i));
        if (!send_item(item.get(), response, r.rc)) r.python_error = true;
        if (r.python_error) break;
    }
    return r;
}

SendResult send_iterable(PyObject* result, Response& response) {
    SendResult r;
    PyRef it = PyRef::steal(PyObject_GetIter(result));
    if (!it) {
        r.python_error = true;
        return r;
    }
    while (r.rc == HORNET_OK) {
        PyRef item = PyRef::steal(PyIter_Next(it.get()));
        if (!item) {
            r.python_error = PyErr_Occurred() != nullptr;
            break;
        }
        if (!send_item(item.get(), response, r.rc)) {
            r.python_error = true;
            break;
        }
    }
    return r;
}

SendResult send_body(PyObject* result, Response& response, PyTypeObject* file_wrapper_type, bool head_request,
                     std::string& later) {
    SendResult r;
    if (send_file_wrapper(result, file_wrapper_type, response, r.rc)) return r;
    if (PyList_CheckExact(result) || PyTuple_CheckExact(result))
        return send_sequence(result, response, head_request, later);
    return send_iterable(result, response);
}

// result.close(), keeping an earlier exception over one from close().
void close_result(PyObject* result, SendResult& r) {
    if (PyList_CheckExact(result) || PyTuple_CheckExact(result)) return;
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    if (r.python_error) PyErr_Fetch(&type, &value, &tb);
    PyRef close = PyRef::steal(PyObject_GetAttrString(result, "close"));
    PyRef done = close ? PyRef::steal(PyObject_CallNoArgs(close.get())) : PyRef();
    if (!close && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear(); // no close(): nothing to do
    } else if (!done) {
        r.python_error = true;
    }
    if (type) {
        PyErr_Clear();
        PyErr_Restore(type, value, tb);
    }
}

} // namespace

SendResult send_response(PyObject* result, Response& response, PyTypeObject* file_wrapper_type,
                         bool head_request, std::string& later) {
    SendResult r = send_body(result, response, file_wrapper_type, head_request, later);
    close_result(result, r);
    if (!r.python_error && r.rc == HORNET_OK && !response.started()) {
        PyErr_SetString(PyExc_RuntimeError, "the app returned without calling start_response()");
        r.python_error = true;
    }
    return r;
}

} // namespace hornet::wsgi
