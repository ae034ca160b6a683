// wsgi.file_wrapper: the type, and the sendfile path for it.
#include "file_wrapper.hpp"

#include <structmember.h> // PyMemberDef flags (3.11)
#include <sys/stat.h>

namespace hornet::wsgi {
namespace {

struct FileWrapper {
    PyObject_HEAD
    PyObject* filelike;
    Py_ssize_t blksize;
};

FileWrapper* self_of(PyObject* o) { return reinterpret_cast<FileWrapper*>(o); }

PyObject* fw_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
    static const char* kwlist[] = {"filelike", "blksize", nullptr};
    PyObject* filelike = nullptr;
    Py_ssize_t blksize = 8192;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n:FileWrapper", const_cast<char**>(kwlist), &filelike,
                                     &blksize))
        return nullptr;
    if (blksize <= 0) {
        PyErr_SetString(PyExc_ValueError, "blksize must be positive");
        return nullptr;
    }
    PyObject* o = type->tp_alloc(type, 0);
    if (!o) return nullptr;
    Py_INCREF(filelike);
    self_of(o)->filelike = filelike;
    self_of(o)->blksize = blksize;
    return o;
}

PyObject* fw_next(PyObject* o) {
    FileWrapper* w = self_of(o);
    PyRef data = PyRef::steal(PyObject_CallMethod(w->filelike, "read", "n", w->blksize));
    if (!data) return nullptr;
    if (PyObject_Length(data.get()) == 0) return nullptr; // StopIteration
    return data.release();
}

PyObject* fw_close(PyObject* o, PyObject*) {
    PyObject* filelike = self_of(o)->filelike;
    if (!PyObject_HasAttrString(filelike, "close")) Py_RETURN_NONE;
    return PyObject_CallMethod(filelike, "close", nullptr);
}

int fw_traverse(PyObject* o, visitproc visit, void* arg) {
    Py_VISIT(self_of(o)->filelike);
    Py_VISIT(Py_TYPE(o));
    return 0;
}

int fw_clear(PyObject* o) {
    Py_CLEAR(self_of(o)->filelike);
    return 0;
}

void fw_dealloc(PyObject* o) {
    PyTypeObject* type = Py_TYPE(o);
    PyObject_GC_UnTrack(o);
    fw_clear(o);
    type->tp_free(o);
    Py_DECREF(type);
}

PyMethodDef kMethods[] = {
    {"close", method(fw_close), METH_NOARGS, "Close the file."},
    {nullptr, nullptr, 0, nullptr},
};

PyMemberDef kMembers[] = {
    {"filelike", T_OBJECT, offsetof(FileWrapper, filelike), READONLY, nullptr},
    {"blksize", T_PYSSIZET, offsetof(FileWrapper, blksize), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

PyType_Slot kSlots[] = {
    {Py_tp_new, reinterpret_cast<void*>(fw_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(fw_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(fw_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(fw_clear)},
    {Py_tp_iter, reinterpret_cast<void*>(PyObject_SelfIter)},
    {Py_tp_iternext, reinterpret_cast<void*>(fw_next)},
    {Py_tp_methods, kMethods},
    {Py_tp_members, kMembers},
    {0, nullptr},
};

PyType_Spec kSpec = {
    "hornet.wsgi.FileWrapper", sizeof(FileWrapper), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, kSlots,
};

// The result of filelike.<name>() as an integer; false (no exception) if
// the file has no such method or it failed.
bool call_int(PyObject* filelike, const char* name, long long& out) {
    PyRef r = PyRef::steal(PyObject_CallMethod(filelike, name, nullptr));
    out = r ? PyLong_AsLongLong(r.get()) : -1;
    if (out == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return false;
    }
    return r && out >= 0;
}

} // namespace

PyRef make_file_wrapper_type() { return PyRef::steal(PyType_FromSpec(&kSpec)); }

bool send_file_wrapper(PyObject* result, PyTypeObject* type, Response& response, int& rc) {
    if (Py_TYPE(result) != type || !response.started()) return false;
    PyObject* filelike = self_of(result)->filelike;
    long long fd = -1, offset = -1;
    struct stat st{};
    if (!call_int(filelike, "fileno", fd) || fstat(static_cast<int>(fd), &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    if (!call_int(filelike, "tell", offset)) return false; // buffered reads are counted in tell()
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    uint64_t len = static_cast<uint64_t>(offset) < size ? size - static_cast<uint64_t>(offset) : 0;
    const int64_t left = response.length_left();
    if (left >= 0)
        len = std::min<uint64_t>(len, static_cast<uint64_t>(left));
    else
        response.offer_length(len);
    rc = response.sendfile(static_cast<int>(fd), static_cast<uint64_t>(offset), len);
    return true;
}

} // namespace hornet::wsgi
