// Ready: an awaitable with its result; see ready.hpp.
#include "ready.hpp"

namespace hornet::asgi {
namespace {

struct ReadyObject {
    PyObject_HEAD
    PyObject* value;
};

PyTypeObject* g_ready = nullptr;
PyObject* g_ready_none = nullptr;

void ready_dealloc(PyObject* self) {
    Py_XDECREF(reinterpret_cast<ReadyObject*>(self)->value);
    PyTypeObject* t = Py_TYPE(self);
    t->tp_free(self);
    Py_DECREF(t);
}

PyObject* ready_await(PyObject* self) { return Py_NewRef(self); }

PyObject* ready_next(PyObject* self) {
    PyObject* v = reinterpret_cast<ReadyObject*>(self)->value;
    if (v == Py_None) PyErr_SetNone(PyExc_StopIteration);
    else PyErr_SetObject(PyExc_StopIteration, v);
    return nullptr;
}

// The fast path: `await ready` ends in one am_send call.
PySendResult ready_send(PyObject* self, PyObject*, PyObject** result) {
    *result = Py_NewRef(reinterpret_cast<ReadyObject*>(self)->value);
    return PYGEN_RETURN;
}

} // namespace

bool init_ready_type() {
    static PyType_Slot slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(ready_dealloc)},
                                  {Py_am_await, reinterpret_cast<void*>(ready_await)},
                                  {Py_am_send, reinterpret_cast<void*>(ready_send)},
                                  {Py_tp_iter, reinterpret_cast<void*>(ready_await)},
                                  {Py_tp_iternext, reinterpret_cast<void*>(ready_next)},
                                  {0, nullptr}};
    PyType_Spec spec{"hornet.asgi.Ready", sizeof(ReadyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    g_ready = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
    g_ready_none = g_ready ? new_ready(Py_NewRef(Py_None)) : nullptr;
    return g_ready_none != nullptr;
}

void drop_ready_type() {
    Py_CLEAR(g_ready_none);
    Py_XDECREF(reinterpret_cast<PyObject*>(g_ready));
    g_ready = nullptr;
}

PyObject* new_ready(PyObject* value) {
    if (!value) return nullptr;
    auto* r = PyObject_New(ReadyObject, g_ready);
    if (!r) {
        Py_DECREF(value);
        return nullptr;
    }
    r->value = value;
    return reinterpret_cast<PyObject*>(r);
}

PyObject* ready_none() { return Py_NewRef(g_ready_none); }

} // namespace hornet::asgi
