// Importing the app and finding its callable.
#include "app_loader.hpp"

#include "traceback_log.hpp"
#include "python_error.hpp"

namespace hornet::python {
namespace {

std::string str_of(PyObject* o) {
    PyRef s = PyRef::steal(o ? PyObject_Str(o) : nullptr);
    const char* p = s ? PyUnicode_AsUTF8(s.get()) : nullptr;
    if (!p) PyErr_Clear();
    return p ? p : "?";
}

// Is the pending error "module <the configured one, or a parent> not found"?
bool module_itself_missing(const std::string& module) {
    if (!PyErr_ExceptionMatches(PyExc_ModuleNotFoundError)) return false;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyRef name = value ? PyRef::steal(PyObject_GetAttrString(value, "name")) : PyRef();
    PyErr_Clear();
    const std::string missing = name && name.get() != Py_None ? str_of(name.get()) : "";
    PyErr_Restore(type, value, tb);
    return !missing.empty() && (module == missing || module.rfind(missing + ".", 0) == 0);
}

PyRef import_module(const hornet_host_t* host, const std::string& module) {
    PyRef m = PyRef::steal(PyImport_ImportModule(module.c_str()));
    if (m) return m;
    if (module_itself_missing(module)) {
        PyErr_Clear();
        throw PythonError("app_config.module: no module named '" + module + "' on sys.path " +
                        str_of(PySys_GetObject("path")) + "; add its folder with --pythonpath (app_config.pythonpath) or start hornet there (--chdir)");
    }
    std::string summary = exception_summary();
    log_traceback(host, app_label() + ": importing '" + module + "' failed");
    throw PythonError("cannot import '" + module + "': " + summary + " (traceback above)");
}

// Gunicorn's rule for "factory(args)": the arguments are Python literals,
// parsed (never evaluated) with ast.literal_eval.
constexpr const char* kLiteralArgs = R"(
import ast
def _hornet_literal_args(text):
    call = ast.parse("f" + text, mode="eval").body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise ValueError("not a call")
    return (tuple(ast.literal_eval(a) for a in call.args),
            {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg})
)";

// "(1, x='y')" -> the (args, kwargs) tuple, or a PythonError naming the spec.
PyRef literal_args(const PythonConfig& c, const std::string& text) {
    PyRef globals = PyRef::steal(PyDict_New());
    if (globals && PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) == 0) {
        PyRef defined = PyRef::steal(PyRun_String(kLiteralArgs, Py_file_input, globals.get(), globals.get()));
        PyObject* parse = defined ? PyDict_GetItemString(globals.get(), "_hornet_literal_args") : nullptr;
        PyRef arg = PyRef::steal(PyUnicode_FromString(text.c_str()));
        PyRef parsed = parse && arg ? PyRef::steal(PyObject_CallOneArg(parse, arg.get())) : PyRef();
        if (parsed) return parsed;
    }
    PyErr_Clear();
    throw PythonError("app_config.module: '" + c.module + ":" + c.callable +
                    "': the factory's arguments must be Python literals (strings, numbers, tuples, ...)");
}

// "a.b" -> getattr(getattr(m, "a"), "b"); "a.b()" and "a.b(1, x='y')" call it.
PyRef resolve(const hornet_host_t* host, PyObject* module, const PythonConfig& c) {
    std::string path = c.callable;
    const size_t paren = path.find('(');
    const bool factory = paren != std::string::npos;
    PyRef args;
    if (factory) {
        args = literal_args(c, path.substr(paren));
        path.resize(paren);
    }
    PyRef obj = PyRef::borrow(module);
    for (size_t begin = 0; begin <= path.size();) {
        size_t end = path.find('.', begin);
        if (end == std::string::npos) end = path.size();
        const std::string name = path.substr(begin, end - begin);
        obj = PyRef::steal(PyObject_GetAttrString(obj.get(), name.c_str()));
        if (!obj) {
            PyErr_Clear();
            throw PythonError("app_config.module: '" + c.module + "' has no attribute '" + path + "'");
        }
        begin = end + 1;
    }
    if (!factory) return obj;
    PyRef app = PyRef::steal(PyObject_Call(obj.get(), PyTuple_GET_ITEM(args.get(), 0), PyTuple_GET_ITEM(args.get(), 1)));
    if (app) return app;
    std::string summary = exception_summary();
    log_traceback(host, app_label() + ": calling the factory '" + c.module + ":" + c.callable + "' failed");
    throw PythonError("'" + c.module + ":" + c.callable + "' raised " + summary + " (traceback above)");
}

constexpr const char* kForget = R"(
import os, site, sys, sysconfig, importlib
def _forget():
    roots = set(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        roots.add(site.getusersitepackages())
    paths = sysconfig.get_paths()
    roots.update(paths.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib"))
    roots.add(os.path.dirname(os.__file__))
    roots = tuple(os.path.join(os.path.realpath(r), "") for r in roots if r)
    def installed(p):
        return os.path.realpath(p).startswith(roots)
    for name, mod in list(sys.modules.items()):
        where = getattr(mod, "__file__", None)
        where = [where] if where else list(getattr(mod, "__path__", None) or [])
        if where and not any(installed(p) for p in where):
            del sys.modules[name]
    importlib.invalidate_caches()
_forget()
)";

} // namespace

void forget_app_modules(const hornet_host_t* host) {
    PyRef globals = PyRef::steal(PyDict_New());
    if (globals && PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) == 0) {
        PyRef done = PyRef::steal(PyRun_String(kForget, Py_file_input, globals.get(), globals.get()));
        if (done) return;
    }
    log_traceback(host, app_label() + ": cannot forget the old app's modules; the reloaded app may run old code");
}

PyRef load_app(const hornet_host_t* host, const PythonConfig& config) {
    PyRef module = import_module(host, config.module);
    PyRef app = resolve(host, module.get(), config);
    if (!PyCallable_Check(app.get()))
        throw PythonError("app_config.module: '" + config.module + ":" + config.callable + "' is a " +
                        Py_TYPE(app.get())->tp_name + ", not a WSGI callable");
    return app;
}

} // namespace hornet::python
