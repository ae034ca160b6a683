// Watching the app's code; see code_reloader.hpp.
#include "code_reloader.hpp"

#include <chrono>
#include <csignal>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gil.hpp"
#include "python_error.hpp"
#include "py_ref.hpp"

namespace hornet::python {
namespace {

constexpr auto kInterval = std::chrono::seconds(1); // Gunicorn's poll reloader ticks as often

long long mtime_ns(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

void log(const hornet_host_t* host, int level, const std::string& line) {
    host->log(host, level, hornet_str_t{line.data(), line.size()});
}

// Under the GIL: __file__ of every module in sys.modules that has one.
void append_module_files(std::vector<std::string>& out) {
    PyObject* modules = PySys_GetObject("modules"); // borrowed
    if (!modules || !PyDict_Check(modules)) return;
    PyRef items = PyRef::steal(PyDict_Values(modules));
    if (!items) {
        PyErr_Clear();
        return;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items.get()); ++i) {
        PyRef file = PyRef::steal(PyObject_GetAttrString(PyList_GET_ITEM(items.get(), i), "__file__"));
        const char* path = file && PyUnicode_Check(file.get()) ? PyUnicode_AsUTF8(file.get()) : nullptr;
        if (path) out.emplace_back(path);
        PyErr_Clear();
    }
}

} // namespace

CodeReloader::CodeReloader(const hornet_host_t* host, std::vector<std::string> extra_files)
    : host_(host), extra_files_(std::move(extra_files)), thread_([this] { run(); }) {}

CodeReloader::~CodeReloader() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (watch_fd_ >= 0) ::close(watch_fd_);
}

void CodeReloader::run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, kInterval, [this] { return stop_; })) {
        lock.unlock();
        if (hold_watch()) {
            const std::string file = changed();
            if (!file.empty()) {
                log(host_, HORNET_LOG_INFO, app_label() + ": " + file + " modified; reloading (SIGHUP to the arbiter)");
                ::kill(::getppid(), SIGHUP);
            }
        }
        lock.lock();
    }
}

bool CodeReloader::hold_watch() {
    if (watch_fd_ >= 0) return true;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string name = "hornet-reload-" + std::to_string(::getppid());
    std::memcpy(addr.sun_path + 1, name.data(), name.size()); // abstract: sun_path[0] == '\0'
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
        ::close(fd);
        return false;
    }
    watch_fd_ = fd;
    for (const std::string& f : files()) mtimes_[f] = mtime_ns(f); // what this worker loaded is the baseline
    log(host_, HORNET_LOG_INFO, app_label() + ": watching " + std::to_string(mtimes_.size()) + " files for changes (reload)");
    return true;
}

std::vector<std::string> CodeReloader::files() {
    std::vector<std::string> out = extra_files_;
    GilHold gil;
    append_module_files(out);
    return out;
}

std::string CodeReloader::changed() {
    std::string first;
    for (const std::string& f : files()) {
        const long long now = mtime_ns(f);
        auto [it, fresh] = mtimes_.try_emplace(f, now);
        if (fresh || it->second == now) continue; // a module imported since: its baseline
        it->second = now;
        if (first.empty()) first = f;
    }
    return first;
}

} // namespace hornet::python
