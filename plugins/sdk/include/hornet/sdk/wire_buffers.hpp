// hornet/sdk/wire_buffers.hpp: a short scatter list of bytes to send.
//
// The response encoder describes what goes on the wire as a few iovecs (head,
// chunk line, app data, CRLF) so a transport sends them with one writev or
// sendmsg. Fixed capacity: no allocation. The pointed-to bytes belong to the
// encoder or the app and must live until the list has been sent.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <sys/uio.h>

namespace hornet::sdk {

class WireBuffers {
public:
    static constexpr size_t capacity = 8;

    void add(const void* data, size_t len) {
        if (len == 0) return;
        iov_[count_++] = iovec{const_cast<void*>(data), len};
        bytes_ += len;
    }
    void add(std::string_view s) { add(s.data(), s.size()); }
    void clear() { count_ = 0; bytes_ = 0; }

    std::span<const iovec> iov() const { return {iov_.data(), count_}; }
    size_t bytes() const { return bytes_; }
    bool empty() const { return bytes_ == 0; }

private:
    std::array<iovec, capacity> iov_{};
    size_t count_ = 0;
    size_t bytes_ = 0;
};

} // namespace hornet::sdk
