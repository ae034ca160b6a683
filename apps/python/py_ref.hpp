// apps/python/py_ref.hpp: owning references to Python objects, and the casts
// CPython's method tables need.
//
// Every PyRef is created and destroyed with the GIL held: the bridge takes
// the GIL on entry to handle() and drops every reference before it lets go.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <exception>
#include <new>
#include <utility>

namespace hornet::python {

class PyRef {
public:
    PyRef() = default;
    static PyRef steal(PyObject* p) { return PyRef(p); }
    static PyRef borrow(PyObject* p) {
        Py_XINCREF(p);
        return PyRef(p);
    }
    PyRef(PyRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    PyRef& operator=(PyRef&& o) noexcept {
        if (this != &o) {
            Py_XDECREF(p_);
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }
    PyRef(const PyRef&) = delete;
    PyRef& operator=(const PyRef&) = delete;
    ~PyRef() { Py_XDECREF(p_); }

    PyObject* get() const { return p_; }
    PyObject* release() { return std::exchange(p_, nullptr); }
    void reset() { Py_CLEAR(p_); }
    explicit operator bool() const { return p_ != nullptr; }

private:
    explicit PyRef(PyObject* p) : p_(p) {}
    PyObject* p_ = nullptr;
};

// PyMethodDef wants a PyCFunction; METH_FASTCALL and METH_NOARGS functions
// have other signatures. Going through void(*)() keeps -Wcast-function-type
// quiet about a cast CPython documents as the way to do it.
template <class Fn>
PyCFunction method(Fn fn) {
    return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(fn));
}

// Runs a Python-facing C function body: a C++ exception must not unwind
// through CPython's frames, so it becomes a Python exception here.
template <class Fn>
PyObject* py_guard(Fn&& body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        PyErr_NoMemory();
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (...) {
        PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception in hornet's Python bridge");
    }
    return nullptr;
}

} // namespace hornet::python
