// The `hornet` module and its Counter type; see hornet_module.hpp.
#include "hornet_module.hpp"

#include <string_view>

#include "hornet/ext.h"
#include "py_ref.hpp"
#include "python_error.hpp"

namespace hornet::python {
namespace {

// The process's host and its metrics table (set before any Counter exists).
const hornet_host_t* g_host = nullptr;
const hornet_metrics_ext_t* g_metrics = nullptr;

struct Counter {
    PyObject_HEAD
    int id; // -1: no metrics table in this host
};

Counter* self_of(PyObject* o) { return reinterpret_cast<Counter*>(o); }

hornet_str_t str(const char* p, Py_ssize_t n) { return {p, static_cast<size_t>(n)}; }

int counter_init(PyObject* o, PyObject* args, PyObject* kwargs) {
    static const char* kwlist[] = {"name", "help", nullptr};
    const char* name = nullptr;
    const char* help = "";
    Py_ssize_t name_len = 0, help_len = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s#|s#:Counter", const_cast<char**>(kwlist), &name, &name_len,
                                     &help, &help_len))
        return -1;
    self_of(o)->id = -1;
    if (!g_metrics) return 0;
    const int id = g_metrics->counter(g_host, str(name, name_len), str(help, help_len));
    if (id == HORNET_EINVAL) {
        PyErr_Format(PyExc_ValueError, "bad counter name %R: use letters, digits and '_' (at most 48)",
                     PyTuple_GET_ITEM(args, 0));
        return -1;
    }
    if (id < 0) {
        PyErr_SetString(PyExc_RuntimeError, "no room for another counter (hornet keeps 64)");
        return -1;
    }
    self_of(o)->id = id;
    return 0;
}

PyObject* counter_inc(PyObject* o, PyObject* args) {
    long long n = 1;
    if (!PyArg_ParseTuple(args, "|L:inc", &n)) return nullptr;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "a counter only goes up: inc() takes n >= 0");
        return nullptr;
    }
    if (g_metrics && self_of(o)->id >= 0) g_metrics->add(g_host, self_of(o)->id, static_cast<uint64_t>(n));
    Py_RETURN_NONE;
}

PyMethodDef kCounterMethods[] = {
    {"inc", counter_inc, METH_VARARGS, "inc(n=1): add n (>= 0) to the counter."},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kCounterSlots[] = {
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_init, reinterpret_cast<void*>(counter_init)},
    {Py_tp_methods, kCounterMethods},
    {Py_tp_doc, const_cast<char*>("Counter(name, help=''): a counter on hornet's /metrics (hornet_app_<name>_total).")},
    {0, nullptr},
};

PyType_Spec kCounterSpec = {"hornet.Counter", sizeof(Counter), 0, Py_TPFLAGS_DEFAULT, kCounterSlots};

PyModuleDef kModule = {PyModuleDef_HEAD_INIT, "hornet", "What the hornet server offers a Python app beyond WSGI.",
                       -1, nullptr, nullptr, nullptr, nullptr, nullptr};

} // namespace

void install_hornet_module(const hornet_host_t* host) {
    g_host = host;
    g_metrics = static_cast<const hornet_metrics_ext_t*>(host->get_extension(host, HORNET_EXT_METRICS));
    if (g_metrics && !HORNET_HAS(g_metrics, hornet_metrics_ext_t, add)) g_metrics = nullptr;
    PyRef module = PyRef::steal(PyModule_Create(&kModule));
    PyRef type = module ? PyRef::steal(PyType_FromSpec(&kCounterSpec)) : PyRef();
    if (!type || PyModule_AddObjectRef(module.get(), "Counter", type.get()) != 0 ||
        PyDict_SetItemString(PyImport_GetModuleDict(), "hornet", module.get()) != 0) {
        PyErr_Clear();
        throw PythonError("cannot create the hornet module");
    }
}

} // namespace hornet::python
