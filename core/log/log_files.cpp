#include "log/log_files.hpp"

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <stdexcept>
#include <unistd.h>

namespace hornet {
namespace {

// Fixed storage: the signal handler walks it without allocating or locking.
struct LogFile {
    char path[PATH_MAX];
    int fd;
};
std::array<LogFile, 16> files;
int file_count = 0; // only grows; entries are complete before it is bumped
std::mutex registry_mutex;

int open_append(const char* path) {
    return ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

} // namespace

int open_log_file(const std::string& path) {
    std::lock_guard lock(registry_mutex);
    for (int i = 0; i < file_count; ++i)
        if (path == files[i].path) return files[i].fd;
    if (path.size() >= PATH_MAX) throw std::runtime_error(path + ": path too long");
    if (file_count == static_cast<int>(files.size())) throw std::runtime_error(path + ": too many log files");
    int fd = open_append(path.c_str());
    if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    LogFile& f = files[file_count];
    std::memcpy(f.path, path.c_str(), path.size() + 1);
    f.fd = fd;
    __atomic_store_n(&file_count, file_count + 1, __ATOMIC_RELEASE);
    return fd;
}

void reopen_log_files() {
    int saved = errno;
    int count = __atomic_load_n(&file_count, __ATOMIC_ACQUIRE);
    for (int i = 0; i < count; ++i) {
        int fd = open_append(files[i].path);
        if (fd < 0) continue;
        ::dup3(fd, files[i].fd, O_CLOEXEC);
        ::close(fd);
    }
    errno = saved;
}

} // namespace hornet
