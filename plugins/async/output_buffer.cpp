// The bounded output buffer: append, consume, and the source's refills.
#include "output_buffer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace hornet::async {
namespace {

constexpr size_t kInitial = 2 * 1024;
constexpr size_t kKeepAfterResponse = 16 * 1024;

} // namespace

void OutputBuffer::reserve(size_t more) {
    if (capacity_ - end_ >= more) return;
    const size_t used = end_ - begin_;
    if (begin_ != 0 && capacity_ - used >= more) { // compact in place
        std::memmove(buf_.get(), buf_.get() + begin_, used);
        begin_ = 0;
        end_ = used;
        return;
    }
    size_t capacity = std::max(capacity_, kInitial);
    while (capacity - used < more) capacity *= 2;
    std::unique_ptr<char[]> bigger(new char[capacity]);
    if (used) std::memcpy(bigger.get(), buf_.get() + begin_, used);
    buf_ = std::move(bigger);
    capacity_ = capacity;
    begin_ = 0;
    end_ = used;
}

void OutputBuffer::append(const void* data, size_t len) {
    if (len == 0) return;
    reserve(len);
    std::memcpy(buf_.get() + end_, data, len);
    end_ += len;
}

void OutputBuffer::consume(size_t n) {
    begin_ += std::min(n, size());
    if (begin_ == end_) begin_ = end_ = 0;
}

void OutputBuffer::set_source(const void* data, uint64_t len, std::string_view suffix) {
    source_ = Source{};
    source_.data = static_cast<const char*>(data);
    source_.left = len;
    source_.suffix_len = std::min(suffix.size(), sizeof source_.suffix);
    std::memcpy(source_.suffix, suffix.data(), source_.suffix_len);
    source_.active = true;
}

void OutputBuffer::set_file_source(int fd, uint64_t offset, uint64_t len, std::string_view suffix) {
    set_source(nullptr, len, suffix);
    source_.fd = fd;
    source_.offset = offset;
}

bool OutputBuffer::refill(int& error) {
    error = 0;
    if (!source_.active) return false;
    while (source_.left != 0 && size() < kHighWater / 2) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(source_.left, kHighWater - size()));
        reserve(n);
        if (source_.fd < 0) {
            std::memcpy(buf_.get() + end_, source_.data, n);
            source_.data += n;
            end_ += n;
            source_.left -= n;
            continue;
        }
        const ssize_t got = ::pread(source_.fd, buf_.get() + end_, n, static_cast<off_t>(source_.offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) { // a file shorter than promised: the framing cannot be kept
            error = got == 0 ? -5 : -errno;
            source_ = Source{};
            return true;
        }
        end_ += static_cast<size_t>(got);
        source_.offset += static_cast<uint64_t>(got);
        source_.left -= static_cast<uint64_t>(got);
    }
    if (source_.left != 0) return false;
    append(source_.suffix, source_.suffix_len);
    source_ = Source{};
    return true;
}

bool OutputBuffer::discard() {
    const bool had = source_.active;
    source_ = Source{};
    begin_ = end_ = 0;
    return had;
}

void OutputBuffer::release() {
    if (!empty() || has_source() || !buf_) return;
    buf_.reset();
    capacity_ = begin_ = end_ = 0;
}

void OutputBuffer::shrink() {
    if (empty() && capacity_ > kKeepAfterResponse) {
        buf_.reset();
        capacity_ = begin_ = end_ = 0;
    }
}

} // namespace hornet::async
