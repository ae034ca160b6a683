// hornet/sdk/input_buffer.hpp: the reusable read buffer of one connection.
//
// Bytes arrive at the end and are consumed from the front. While a request is
// being served its head stays pinned at the front (the request's string views
// point into it), so compaction moves only the bytes after the head and the
// buffer never reallocates. One per connection, reused across requests: no
// per-request allocation once warm. Not thread-safe; the connection's owner
// (or the one reader of an exchange) uses it.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

namespace hornet::sdk {

class InputBuffer {
public:
    explicit InputBuffer(size_t capacity = 64 * 1024, size_t max_capacity = 2 * 1024 * 1024);

    // Unconsumed bytes.
    std::span<const char> data() const { return {buf_.get() + begin_, end_ - begin_}; }
    size_t size() const { return end_ - begin_; }
    bool empty() const { return begin_ == end_; }

    // Room for at least `want` bytes at the end when possible: compacts, and
    // grows (up to max_capacity) only while nothing is pinned. May return
    // less than `want`, or nothing when full.
    std::span<char> prepare(size_t want);
    void commit(size_t n) { end_ += n; }
    void consume(size_t n) { begin_ += n; }

    // The next `head_len` bytes become the pinned head, moved to the front
    // with at least `tail_room` free bytes after it; returns where the head
    // now starts. Views into the head are valid until unpin().
    const char* pin_head(size_t head_len, size_t tail_room);
    void unpin() { floor_ = 0; }

    void clear() { begin_ = end_ = floor_ = 0; }

private:
    void compact();
    bool grow(size_t min_capacity);

    std::unique_ptr<char[]> buf_;
    size_t capacity_;
    size_t max_capacity_;
    size_t begin_ = 0;
    size_t end_ = 0;
    size_t floor_ = 0; // compaction never moves bytes below this
};

} // namespace hornet::sdk
