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

// Moves the environment out of the way so set() may overwrite it.
void move_environ() {
    size_t n = 0;
    while (environ[n]) ++n;
    char** copy = new char*[n + 1];
    for (size_t i = 0; i < n; ++i) copy[i] = ::strdup(environ[i]);
    copy[n] = nullptr;
    environ = copy;
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
