// The control socket's file: a listening unix socket at a path, mode 0600,
// that only this arbiter removes.
//
// Binding finds what is at the path first. Nothing: bind. A socket nobody
// accepts on (connect is refused: an arbiter that was killed left it): remove
// it and bind. A socket someone accepts on (another running hornet): refuse,
// never steal it. Anything else (a regular file, a folder): refuse. The file
// is made 0600 before listen(), so no other user ever connects. At the end
// it is removed only if it is still the file this arbiter bound (same
// inode): after a binary upgrade the path may be the new arbiter's.
// Arbiter thread only.
#pragma once

#include <string>
#include <sys/types.h>

namespace hornet {

class ControlSocketFile {
public:
    // Throws std::runtime_error with one line naming the path.
    explicit ControlSocketFile(std::string path);
    ~ControlSocketFile(); // closes what was not taken; removes the file if ours
    ControlSocketFile(const ControlSocketFile&) = delete;
    ControlSocketFile& operator=(const ControlSocketFile&) = delete;

    // The listening socket (non-blocking, close-on-exec), for the loop to own.
    int take_fd();
    const std::string& path() const { return path_; }

    // Moves our file to another name (a binary upgrade's PATH.oldbin, and
    // back). A socket stays reachable under its new name. False, with
    // errno, when rename() failed; nothing moves then.
    bool move_to(const std::string& path);

private:
    bool is_ours() const;

    std::string path_;
    int fd_ = -1;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

// Creates `dir` 0700 if it is missing, and checks that it is a folder of
// ours that no one else may write to (the default place may be under /tmp).
// Throws std::runtime_error with one line.
void make_private_directory(const std::string& dir);

} // namespace hornet
