// Formats exceptions with the traceback module, as Python itself would.
#include "traceback_log.hpp"

#include "gil.hpp"
#include "py_ref.hpp"

namespace hornet::python {
namespace {

std::string utf8(PyObject* s) {
    Py_ssize_t n = 0;
    const char* p = s ? PyUnicode_AsUTF8AndSize(s, &n) : nullptr;
    if (p) return std::string(p, static_cast<size_t>(n));
    PyErr_Clear();
    return "<unprintable>";
}

// traceback.format_exception(type, value, tb) joined; "" if that fails.
std::string formatted(PyObject* type, PyObject* value, PyObject* tb) {
    PyRef module = PyRef::steal(PyImport_ImportModule("traceback"));
    PyRef fn = module ? PyRef::steal(PyObject_GetAttrString(module.get(), "format_exception")) : PyRef();
    PyRef lines = fn ? PyRef::steal(PyObject_CallFunctionObjArgs(fn.get(), type, value ? value : Py_None,
                                                                 tb ? tb : Py_None, nullptr))
                     : PyRef();
    PyRef empty = PyRef::steal(PyUnicode_FromString(""));
    PyRef text = lines && empty ? PyRef::steal(PyUnicode_Join(empty.get(), lines.get())) : PyRef();
    if (!text) {
        PyErr_Clear();
        return "";
    }
    std::string out = utf8(text.get());
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::string summary_of(PyObject* type, PyObject* value) {
    std::string line = type ? reinterpret_cast<PyTypeObject*>(type)->tp_name : "exception";
    if (value) {
        PyRef str = PyRef::steal(PyObject_Str(value));
        std::string text = utf8(str.get());
        if (!text.empty()) line += ": " + text;
    }
    return line;
}

} // namespace

void log_traceback(const hornet_host_t* host, std::string_view context) {
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyRef t = PyRef::steal(type), v = PyRef::steal(value), b = PyRef::steal(tb);
    std::string text(context);
    std::string trace = t ? formatted(t.get(), v.get(), b.get()) : "";
    text += "\n";
    text += trace.empty() ? summary_of(t.get(), v.get()) : trace;
    GilRelease unlocked;
    host->log(host, HORNET_LOG_ERROR, hornet_str_t{text.data(), text.size()});
}

std::string exception_summary() {
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    std::string summary = summary_of(type, value);
    PyErr_Restore(type, value, tb);
    return summary;
}

} // namespace hornet::python
