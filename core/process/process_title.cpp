#include "process/process_title.hpp"

#include <cstring>
#include <sys/prctl.h>
#include <unistd.h>

extern char** environ;

namespace hornet::process_title {
namespace {

char* area = nullptr;     // argv[0]: where the title goes
size_t area_size = 0;     // up to the end of the last contiguous string

// The strings of argv, then environ, usually sit back to back in memory.
char* contiguous_end(char** strings, char* end) {
    for (size_t i = 0; strings[i]; ++i) {
        if (strings[i] != end) break;
        end = strings[i] + std::strlen(strings[i]) + 1;
    }
    return end;
}

// The moved environment lives as long as the process. Both blocks are held
// here too: setenv() and unsetenv() may replace `environ` or drop entries
// from it, which would read as leaks to LeakSanitizer otherwise.
char** moved_environ = nullptr;
char* moved_strings = nullptr;

// Moves the environment out of the way so set() may overwrite it: one block
// for the strings, as nginx does, and a new array pointing into it.
void move_environ() {
    size_t n = 0, bytes = 0;
    for (; environ[n]; ++n) bytes += std::strlen(environ[n]) + 1;
    moved_environ = new char*[n + 1];
    moved_strings = new char[bytes ? bytes : 1];
    char* next = moved_strings;
    for (size_t i = 0; i < n; ++i) {
        const size_t len = std::strlen(environ[i]) + 1;
        std::memcpy(next, environ[i], len);
        moved_environ[i] = next;
        next += len;
    }
    moved_environ[n] = nullptr;
    environ = moved_environ;
}

} // namespace

void init(int argc, char** argv) {
    if (argc < 1 || !argv[0]) return;
    char* end = contiguous_end(argv, argv[0]);
    char** env = environ;
    end = contiguous_end(env, end);
    move_environ();
    area = argv[0];
    area_size = static_cast<size_t>(end - area);
    for (int i = 1; i < argc; ++i) argv[i] = nullptr; // no stale pointers into the area
}

void set(const std::string& title) {
    // The short name (15 bytes) shows in top and /proc/PID/comm.
    ::prctl(PR_SET_NAME, title.substr(0, 15).c_str());
    if (!area || area_size < 2) return;
    size_t n = std::min(title.size(), area_size - 1);
    std::memcpy(area, title.data(), n);
    std::memset(area + n, 0, area_size - n);
}

} // namespace hornet::process_title
