// BusyRequest: what a worker is serving now, for `hornet ctl status` and
// the head of a stack dump, in memory another process reads.
//
// Written by the worker's serving threads when a request goes to the app,
// read by the arbiter (or the worker's dump thread). A sequence number
// guards the text: an odd value means a write is under way; a writer that
// finds another writing skips its update (the record shows the latest
// request that got through, which is all a reader asks), and a reader
// retries a few times and gives up rather than wait. No locks, no syscalls.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hornet {

struct BusyRequestView {
    std::string method;
    std::string path;
    std::int64_t since_ms = 0; // monotonic
};

class BusyRequest {
public:
    // [worker, any thread] A request went to the app at now_ms.
    void set(std::string_view method, std::string_view path, std::int64_t now_ms);
    // [worker, any thread] Nothing in flight any more.
    void clear();
    // [any process] The request, or nothing when idle or mid-write.
    std::optional<BusyRequestView> read() const;

    static constexpr std::size_t kMethodBytes = 16;
    static constexpr std::size_t kPathBytes = 120; // longer paths are cut

private:
    std::atomic<std::uint32_t> seq_{0};
    std::atomic<std::int64_t> since_ms_{0}; // 0: idle
    std::atomic<std::uint8_t> method_len_{0};
    std::atomic<std::uint8_t> path_len_{0};
    char method_[kMethodBytes] = {};
    char path_[kPathBytes] = {};
};

} // namespace hornet
