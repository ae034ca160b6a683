// The seqlock behind BusyRequest; see busy_request.hpp.
#include "scoreboard/busy_request.hpp"

#include <algorithm>
#include <cstring>

namespace hornet {
namespace {

// Byte copies under the sequence number; relaxed atomics keep them free of
// data races in the language's sense, the fences order them.
void store_bytes(char* to, std::string_view from) {
    for (std::size_t i = 0; i < from.size(); ++i) std::atomic_ref<char>(to[i]).store(from[i], std::memory_order_relaxed);
}

std::string load_bytes(const char* from, std::size_t n) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        out[i] = std::atomic_ref<char>(const_cast<char&>(from[i])).load(std::memory_order_relaxed);
    return out;
}

} // namespace

void BusyRequest::set(std::string_view method, std::string_view path, std::int64_t now_ms) {
    std::uint32_t even = seq_.load(std::memory_order_relaxed);
    if (even & 1u) return; // another thread is writing
    if (!seq_.compare_exchange_strong(even, even + 1, std::memory_order_acquire)) return;
    std::atomic_thread_fence(std::memory_order_release);
    method = method.substr(0, kMethodBytes);
    path = path.substr(0, kPathBytes);
    store_bytes(method_, method);
    store_bytes(path_, path);
    method_len_.store(static_cast<std::uint8_t>(method.size()), std::memory_order_relaxed);
    path_len_.store(static_cast<std::uint8_t>(path.size()), std::memory_order_relaxed);
    since_ms_.store(std::max<std::int64_t>(now_ms, 1), std::memory_order_relaxed);
    seq_.store(even + 2, std::memory_order_release);
}

void BusyRequest::clear() { since_ms_.store(0, std::memory_order_relaxed); }

std::optional<BusyRequestView> BusyRequest::read() const {
    for (int attempt = 0; attempt < 8; ++attempt) {
        const std::uint32_t before = seq_.load(std::memory_order_acquire);
        if (before & 1u) continue;
        BusyRequestView v;
        v.since_ms = since_ms_.load(std::memory_order_relaxed);
        v.method = load_bytes(method_, std::min<std::size_t>(method_len_.load(std::memory_order_relaxed), kMethodBytes));
        v.path = load_bytes(path_, std::min<std::size_t>(path_len_.load(std::memory_order_relaxed), kPathBytes));
        std::atomic_thread_fence(std::memory_order_acquire);
        if (seq_.load(std::memory_order_relaxed) != before) continue;
        if (v.since_ms == 0) return std::nullopt;
        return v;
    }
    return std::nullopt;
}

} // namespace hornet
