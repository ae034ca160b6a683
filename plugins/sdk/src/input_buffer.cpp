// The connection's read buffer: compaction above the pinned head, growth
// only while unpinned.
#include "hornet/sdk/input_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace hornet::sdk {

InputBuffer::InputBuffer(size_t capacity, size_t max_capacity)
    : buf_(new char[capacity]), capacity_(capacity), max_capacity_(std::max(capacity, max_capacity)) {}

std::span<char> InputBuffer::prepare(size_t want) {
    if (capacity_ - end_ < want) compact();
    if (capacity_ - end_ < want && floor_ == 0) grow(end_ + want);
    return {buf_.get() + end_, capacity_ - end_};
}

void InputBuffer::compact() {
    if (begin_ == floor_) return;
    const size_t n = end_ - begin_;
    std::memmove(buf_.get() + floor_, buf_.get() + begin_, n);
    begin_ = floor_;
    end_ = floor_ + n;
}

bool InputBuffer::grow(size_t min_capacity) {
    if (capacity_ >= max_capacity_) return false;
    size_t capacity = capacity_;
    while (capacity < min_capacity && capacity < max_capacity_) capacity *= 2;
    capacity = std::min(capacity, max_capacity_);
    std::unique_ptr<char[]> bigger(new char[capacity]);
    std::memcpy(bigger.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    buf_ = std::move(bigger);
    capacity_ = capacity;
    return true;
}

const char* InputBuffer::pin_head(size_t head_len, size_t tail_room) {
    floor_ = 0;
    compact(); // the head now starts at 0
    if (capacity_ - head_len < tail_room) grow(head_len + tail_room);
    begin_ = head_len;
    floor_ = head_len;
    return buf_.get();
}

} // namespace hornet::sdk
