// http.response.pathsend: a file as the whole body, with the worker's
// sendfile; see channel.hpp.
//
// The blocking part runs in the loop's default executor (ops->sendfile may
// block; [after PENDING] any thread may call it), the GIL let go: head,
// file, finish, in that order, and nothing else of this exchange is queued.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "channel.hpp"

namespace hornet::asgi {
namespace {

using python::PyRef;

PyObject* g_run_in_executor = nullptr; // the loop's

struct FileSend {
    RequestState* rs; // a reference held
    std::unique_ptr<Op> head;
    int fd;
    uint64_t size;
};

void file_send_free(PyObject* capsule) {
    auto* f = static_cast<FileSend*>(PyCapsule_GetPointer(capsule, "hornet.asgi.FileSend"));
    if (!f) return PyErr_Clear();
    if (f->fd >= 0) ::close(f->fd);
    f->rs->unref();
    delete f;
}

int send_file_now(FileSend& f) {
    const std::vector<hornet_header_t> headers = header_views(f.head->header_text);
    RequestState* rs = f.rs;
    int rc = rs->ops->start(rs->x, f.head->status, headers.data(), headers.size());
    if (rc == HORNET_OK) rc = rs->ops->sendfile(rs->x, f.fd, 0, f.size);
    rs->ops->finish(rs->x, rc < 0 ? rc : 0);
    return rc;
}

PyObject* file_send_run(PyObject* capsule, PyObject*) {
    auto* f = static_cast<FileSend*>(PyCapsule_GetPointer(capsule, "hornet.asgi.FileSend"));
    if (!f || f->fd < 0) return nullptr;
    Py_BEGIN_ALLOW_THREADS
    (void)send_file_now(*f); // a client that went away: nothing for the app to do
    Py_END_ALLOW_THREADS
    ::close(f->fd);
    f->fd = -1;
    Py_RETURN_NONE;
}
PyMethodDef kFileSend = {"pathsend", file_send_run, METH_NOARGS, nullptr};

std::atomic<bool> g_logged_pathsend_late{false};

} // namespace

void use_executor(PyObject* run_in_executor) { Py_XSETREF(g_run_in_executor, Py_XNewRef(run_in_executor)); }

PyObject* send_pathsend(ChannelState& s, PyObject* message) {
    if (!s.started || !s.head || s.complete)
        return protocol_error(s.host, g_logged_pathsend_late,
                              "http.response.pathsend must follow http.response.start and be the whole body");
    PyObject* path = PyDict_GetItemWithError(message, n.path);
    PyObject* raw = nullptr;
    if (!path || !PyUnicode_FSConverter(path, &raw)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "http.response.pathsend needs a 'path'");
        return nullptr;
    }
    PyRef bytes = PyRef::steal(raw);
    const int fd = ::open(PyBytes_AS_STRING(bytes.get()), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) ::close(fd);
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
    }
    auto* f = new FileSend{s.rs, std::move(s.head), fd, static_cast<uint64_t>(st.st_size)};
    s.rs->ref();
    s.complete = true;
    PyRef capsule = PyRef::steal(PyCapsule_New(f, "hornet.asgi.FileSend", file_send_free));
    if (!capsule) {
        ::close(fd);
        f->rs->unref();
        delete f;
        return nullptr;
    }
    PyRef fn = PyRef::steal(PyCFunction_New(&kFileSend, capsule.get()));
    PyObject* args[] = {Py_None, fn.get()};
    return fn && g_run_in_executor ? PyObject_Vectorcall(g_run_in_executor, args, 2, nullptr) : nullptr;
}

} // namespace hornet::asgi
