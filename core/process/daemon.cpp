#include "process/daemon.hpp"

#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace hornet {

void daemonize() {
    if (pid_t pid = ::fork(); pid < 0) throw std::runtime_error("cannot fork to daemonize");
    else if (pid > 0) ::_exit(0);
    ::setsid();
    // Not a session leader any more: can never reacquire a terminal.
    if (pid_t pid = ::fork(); pid < 0) throw std::runtime_error("cannot fork to daemonize");
    else if (pid > 0) ::_exit(0);
    int null = ::open("/dev/null", O_RDWR);
    if (null < 0) return;
    for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) ::dup2(null, fd);
    if (null > STDERR_FILENO) ::close(null);
}

} // namespace hornet
