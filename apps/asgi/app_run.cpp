// AppRun: the app's coroutine under the request's Task; see app_run.hpp.
#include "app_run.hpp"

namespace hornet::asgi {
namespace {

struct AppRunObject {
    PyObject_HEAD PyObject* coro; // the app's coroutine (or its awaitable's iterator); cleared once it is over
    ChannelObject* channel;
};

PyTypeObject* g_app_run = nullptr;
PyObject* g_cancelled_error = nullptr; // asyncio.CancelledError

AppRunObject& self_of(PyObject* self) { return *reinterpret_cast<AppRunObject*>(self); }

// The raised exception, normalized, with its traceback; the error indicator
// is cleared. (Python 3.12's PyErr_GetRaisedException.)
PyObject* take_exception() {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value && tb) PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
}

void raise_again(PyObject* exc) { // steals exc
    PyErr_Restore(Py_NewRef(reinterpret_cast<PyObject*>(Py_TYPE(exc))), exc, PyException_GetTraceback(exc));
}

// The app's coroutine is over: ok, or with the Python exception set.
// Returns what the Task is to see: PYGEN_RETURN (result None), or
// PYGEN_ERROR with the exception left set for it.
PySendResult over(AppRunObject& r, bool ok) {
    Py_CLEAR(r.coro);
    PyObject* exc = ok ? nullptr : take_exception();
    const bool cancelled = exc && PyErr_GivenExceptionMatches(exc, g_cancelled_error);
    const bool fatal = exc && !cancelled && !PyErr_GivenExceptionMatches(exc, PyExc_Exception);
    end_channel(*r.channel->s, cancelled ? nullptr : exc);
    if (cancelled || fatal) {
        raise_again(exc);
        return PYGEN_ERROR;
    }
    Py_XDECREF(exc);
    return PYGEN_RETURN;
}

PySendResult step(AppRunObject& r, PyObject* arg, PyObject** result) {
    if (!r.coro) {
        PyErr_SetString(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
        return PYGEN_ERROR;
    }
    const PySendResult got = PyIter_Send(r.coro, arg, result);
    if (got == PYGEN_NEXT) return got;
    if (got == PYGEN_RETURN) Py_CLEAR(*result); // an ASGI app returns None: nobody reads it
    const PySendResult end = over(r, got == PYGEN_RETURN);
    if (end == PYGEN_RETURN) *result = Py_NewRef(Py_None);
    return end;
}

PySendResult app_run_send(PyObject* self, PyObject* arg, PyObject** result) { return step(self_of(self), arg, result); }

// The Python-level protocol: a value yielded, or StopIteration / the error.
PyObject* as_call(PySendResult got, PyObject* result) {
    if (got == PYGEN_NEXT) return result;
    if (got == PYGEN_ERROR) return nullptr;
    Py_DECREF(result);
    PyErr_SetNone(PyExc_StopIteration);
    return nullptr;
}

PyObject* app_run_next(PyObject* self) {
    PyObject* result = nullptr;
    return as_call(step(self_of(self), Py_None, &result), result);
}

PyObject* app_run_send_method(PyObject* self, PyObject* arg) {
    PyObject* result = nullptr;
    return as_call(step(self_of(self), arg, &result), result);
}

// throw(exc) as the Task calls it (cancellation): into the app's coroutine.
PyObject* app_run_throw(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
    AppRunObject& r = self_of(self);
    if (!r.coro) {
        PyErr_SetString(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
        return nullptr;
    }
    PyObject* thrower = PyObject_GetAttrString(r.coro, "throw");
    PyObject* yielded = thrower ? PyObject_Vectorcall(thrower, args, static_cast<size_t>(nargs), nullptr) : nullptr;
    Py_XDECREF(thrower);
    if (yielded) return yielded;
    const bool returned = PyErr_ExceptionMatches(PyExc_StopIteration);
    if (returned) PyErr_Clear();
    return as_call(over(r, returned), Py_NewRef(Py_None));
}

PyObject* app_run_close(PyObject* self, PyObject*) {
    AppRunObject& r = self_of(self);
    if (!r.coro) Py_RETURN_NONE;
    PyObject* done = PyObject_CallMethod(r.coro, "close", nullptr);
    Py_CLEAR(r.coro);
    return done;
}

// cr_frame, cr_running, __qualname__ ...: the app's coroutine's.
PyObject* app_run_getattro(PyObject* self, PyObject* name) {
    PyObject* found = PyObject_GenericGetAttr(self, name);
    AppRunObject& r = self_of(self);
    if (found || !r.coro || !PyErr_ExceptionMatches(PyExc_AttributeError)) return found;
    PyErr_Clear();
    return PyObject_GetAttr(r.coro, name);
}

PyObject* app_run_await(PyObject* self) { return Py_NewRef(self); }

int app_run_traverse(PyObject* self, visitproc visit, void* arg) {
    Py_VISIT(self_of(self).coro);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

int app_run_clear(PyObject* self) {
    Py_CLEAR(self_of(self).coro);
    return 0;
}

void app_run_dealloc(PyObject* self) {
    PyObject_GC_UnTrack(self);
    app_run_clear(self);
    Py_XDECREF(reinterpret_cast<PyObject*>(self_of(self).channel));
    PyTypeObject* t = Py_TYPE(self);
    t->tp_free(self);
    Py_DECREF(t);
}

PyMethodDef kMethods[] = {
    {"send", app_run_send_method, METH_O, nullptr},
    {"throw", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(app_run_throw)), METH_FASTCALL, nullptr},
    {"close", app_run_close, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr}};

} // namespace

bool init_app_run_type() {
    static PyType_Slot slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(app_run_dealloc)},
                                  {Py_tp_traverse, reinterpret_cast<void*>(app_run_traverse)},
                                  {Py_tp_clear, reinterpret_cast<void*>(app_run_clear)},
                                  {Py_tp_getattro, reinterpret_cast<void*>(app_run_getattro)},
                                  {Py_tp_methods, kMethods},
                                  {Py_am_await, reinterpret_cast<void*>(app_run_await)},
                                  {Py_am_send, reinterpret_cast<void*>(app_run_send)},
                                  {Py_tp_iter, reinterpret_cast<void*>(app_run_await)},
                                  {Py_tp_iternext, reinterpret_cast<void*>(app_run_next)},
                                  {0, nullptr}};
    PyType_Spec spec{"hornet.asgi.AppRun", sizeof(AppRunObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, slots};
    g_app_run = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
    python::PyRef asyncio = g_app_run ? python::PyRef::steal(PyImport_ImportModule("asyncio")) : python::PyRef();
    g_cancelled_error = asyncio ? PyObject_GetAttrString(asyncio.get(), "CancelledError") : nullptr;
    return g_cancelled_error != nullptr;
}

void drop_app_run_type() {
    Py_CLEAR(g_cancelled_error);
    Py_XDECREF(reinterpret_cast<PyObject*>(g_app_run));
    g_app_run = nullptr;
}

PyObject* new_app_run(PyObject* awaitable, ChannelObject* channel) {
    PyAsyncMethods* async = Py_TYPE(awaitable)->tp_as_async;
    PyObject* coro = PyCoro_CheckExact(awaitable) ? Py_NewRef(awaitable)
                     : async && async->am_await   ? async->am_await(awaitable)
                                                  : nullptr;
    if (!coro) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "an awaitable was expected, not %.100s", Py_TYPE(awaitable)->tp_name);
        return nullptr;
    }
    auto* r = PyObject_GC_New(AppRunObject, g_app_run);
    if (!r) {
        Py_DECREF(coro);
        return nullptr;
    }
    r->coro = coro;
    r->channel = reinterpret_cast<ChannelObject*>(Py_NewRef(reinterpret_cast<PyObject*>(channel)));
    PyObject_GC_Track(reinterpret_cast<PyObject*>(r));
    return reinterpret_cast<PyObject*>(r);
}

} // namespace hornet::asgi
