// The control socket's file; see control_socket_file.hpp.
#include "control/control_socket_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace hornet {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw std::runtime_error("control socket " + path + ": " + what);
}

std::string error_text(int err) { return std::strerror(err); }

sockaddr_un address_of(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        fail(path, "the path is " + std::to_string(path.size()) + " bytes, more than the " +
                       std::to_string(sizeof addr.sun_path - 1) + " a unix socket allows; choose a shorter one");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

int unix_socket(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) fail(path, "cannot create a socket: " + error_text(errno));
    return fd;
}

// What listens at `path`, by connecting to it: errno ECONNREFUSED means a
// socket file whose arbiter is gone.
int connect_errno(const std::string& path) {
    const sockaddr_un addr = address_of(path);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    int err = rc == 0 ? 0 : errno;
    ::close(fd);
    return err;
}

// The path is taken: remove it if it is a dead arbiter's socket, else refuse.
void clear_stale(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return; // gone meanwhile
    if (!S_ISSOCK(st.st_mode)) fail(path, "the path exists and is not a socket; remove it or choose another path");
    const int err = connect_errno(path);
    if (err == 0) fail(path, "another hornet is listening there; stop it, or give this one another control_socket");
    if (err != ECONNREFUSED) fail(path, "cannot tell whether a hornet listens there: " + error_text(err));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        fail(path, "cannot remove the stale socket file: " + error_text(errno));
}

void bind_to(int fd, const std::string& path) {
    const sockaddr_un addr = address_of(path);
    auto attempt = [&] { return ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr); };
    if (attempt() == 0) return;
    if (errno != EADDRINUSE) fail(path, "cannot bind: " + error_text(errno));
    clear_stale(path);
    if (attempt() != 0) fail(path, "cannot bind: " + error_text(errno));
}

} // namespace

ControlSocketFile::ControlSocketFile(std::string path) : path_(std::move(path)) {
    address_of(path_); // a path too long is refused before anything is touched
    fd_ = unix_socket(path_);
    bool bound = false;
    try {
        bind_to(fd_, path_);
        bound = true;
        // Before listen(): until then a connect() is refused, whatever the mode.
        if (::chmod(path_.c_str(), 0600) != 0) fail(path_, "cannot make it 0600: " + error_text(errno));
        struct stat st {};
        if (::stat(path_.c_str(), &st) != 0) fail(path_, "cannot stat it: " + error_text(errno));
        dev_ = st.st_dev;
        ino_ = st.st_ino;
        if (::listen(fd_, 16) != 0) fail(path_, "cannot listen: " + error_text(errno));
    } catch (...) {
        ::close(fd_);
        if (bound) ::unlink(path_.c_str());
        throw;
    }
}

ControlSocketFile::~ControlSocketFile() {
    if (fd_ >= 0) ::close(fd_);
    if (is_ours()) ::unlink(path_.c_str());
}

int ControlSocketFile::take_fd() {
    int fd = fd_;
    fd_ = -1;
    return fd;
}

bool ControlSocketFile::is_ours() const {
    struct stat st {};
    return ::lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
}

bool ControlSocketFile::move_to(const std::string& path) {
    if (!is_ours()) {
        errno = ENOENT;
        return false;
    }
    if (::rename(path_.c_str(), path.c_str()) != 0) return false;
    path_ = path;
    return true;
}

void make_private_directory(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("control socket folder " + dir + ": cannot create it: " + error_text(errno));
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw std::runtime_error("control socket folder " + dir + ": not a folder");
    if (st.st_uid != ::geteuid() || (st.st_mode & 022) != 0)
        throw std::runtime_error("control socket folder " + dir + ": owned by uid " + std::to_string(st.st_uid) +
                                 " or writable by others; it must be this user's alone");
}

} // namespace hornet
