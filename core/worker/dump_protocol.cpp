// The worker's half of the dump protocol; see dump_protocol.hpp.
#include "worker/dump_protocol.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace hornet::dump {
namespace {

// One frame, in one write: a pipe keeps writes of up to PIPE_BUF bytes whole.
bool write_frame(int fd, pid_t pid, std::string_view part, bool last) {
    char frame[kFrameBytes];
    const FrameHead head{static_cast<std::uint32_t>(pid), static_cast<std::uint16_t>(part.size()),
                         static_cast<std::uint8_t>(last ? 1 : 0), 0};
    std::memcpy(frame, &head, sizeof head);
    std::memcpy(frame + sizeof head, part.data(), part.size());
    const std::size_t n = sizeof head + part.size();
    for (;;) {
        const ssize_t wrote = ::write(fd, frame, n);
        if (wrote == static_cast<ssize_t>(n)) return true;
        if (wrote < 0 && errno == EINTR) continue;
        return false;
    }
}

} // namespace

bool write_dump(int fd, pid_t pid, std::string_view text) {
    do {
        const std::string_view part = text.substr(0, std::min(text.size(), kFramePayload));
        text.remove_prefix(part.size());
        if (!write_frame(fd, pid, part, text.empty())) return false;
    } while (!text.empty());
    return true;
}

} // namespace hornet::dump
