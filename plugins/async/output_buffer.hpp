// plugins/async/output_buffer.hpp: the response bytes of one connection on
// their way to the socket, bounded.
//
// Small writes are copied in whole. A large one (a blocking write from a
// pool thread, a write_async, a sendfile) becomes the *source*: its bytes
// are copied in piece by piece as the socket drains, so the buffer holds at
// most kHighWater bytes plus one response head and a chunk line, however
// large the response and however slow the reader. The source's owner is
// told when its last byte is in (its buffer is then free again). [loop]
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace hornet::async {

class OutputBuffer {
public:
    static constexpr size_t kHighWater = 64 * 1024; // refill below half of it

    // What is ready to send, contiguous.
    std::span<const char> pending() const { return {buf_.get() + begin_, end_ - begin_}; }
    size_t size() const { return end_ - begin_; }
    bool empty() const { return begin_ == end_; }
    bool has_source() const { return source_.left != 0 || source_.suffix_len != 0 || source_.active; }
    // Nothing buffered and no source: the response so far is on the wire.
    bool drained() const { return empty() && !has_source(); }

    // Would `len` more bytes fit under the mark, with no source ahead of them?
    bool has_room(size_t len) const { return !has_source() && size() + len <= kHighWater; }

    void append(const void* data, size_t len);
    void append(std::string_view s) { append(s.data(), s.size()); }
    void consume(size_t n);

    // A source: memory (data, len) or a file (fd >= 0: pread from offset),
    // followed by `suffix` (at most 8 bytes, copied). Only one at a time.
    void set_source(const void* data, uint64_t len, std::string_view suffix);
    void set_file_source(int fd, uint64_t offset, uint64_t len, std::string_view suffix);

    // Copies source bytes in while the buffer is below half the mark.
    // Returns true when the source has just been fully taken (the caller
    // completes its owner), false otherwise; <0 in `error` on a file error.
    bool refill(int& error);

    // Drops everything (a broken connection): true if a source was active.
    bool discard();
    // After a response: give a large buffer back (an idle connection holds
    // little memory).
    void shrink();
    // Gives the buffer back whatever its size, when it is empty (an idle
    // upgraded stream); the next append allocates again.
    void release();

private:
    void reserve(size_t more);

    struct Source {
        const char* data = nullptr;
        int fd = -1;
        uint64_t offset = 0;
        uint64_t left = 0;
        char suffix[8] = {};
        size_t suffix_len = 0;
        bool active = false;
    };

    std::unique_ptr<char[]> buf_;
    size_t capacity_ = 0;
    size_t begin_ = 0;
    size_t end_ = 0;
    Source source_;
};

} // namespace hornet::async
