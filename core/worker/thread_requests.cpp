// The per-thread request table; see thread_requests.hpp.
#include "worker/thread_requests.hpp"

#include <unistd.h>

namespace hornet {
namespace {

// -1: not yet taken; -2: the table was full.
thread_local int entry_index = -1;

} // namespace

ThreadRequests& ThreadRequests::process() {
    static ThreadRequests table;
    return table;
}

ThreadRequests::Entry* ThreadRequests::mine() {
    if (entry_index == -2) return nullptr;
    if (entry_index < 0) {
        const std::uint32_t i = used_.fetch_add(1, std::memory_order_relaxed);
        if (i >= kThreads) {
            entry_index = -2;
            untracked_.fetch_add(1, std::memory_order_relaxed);
            return nullptr;
        }
        entries_[i].tid.store(::gettid(), std::memory_order_release);
        entry_index = static_cast<int>(i);
    }
    return &entries_[static_cast<std::size_t>(entry_index)];
}

void ThreadRequests::begin(std::string_view method, std::string_view path, std::int64_t now_ms) {
    Entry* e = mine();
    if (!e) return;
    e->in_flight.fetch_add(1, std::memory_order_relaxed);
    e->busy.set(method, path, now_ms);
}

void ThreadRequests::end() {
    Entry* e = mine();
    if (!e) return;
    if (e->in_flight.fetch_sub(1, std::memory_order_relaxed) <= 1) e->busy.clear();
}

void ThreadRequests::for_each(const std::function<void(const Entry&)>& visit) const {
    const std::uint32_t n = std::min<std::uint32_t>(used_.load(std::memory_order_acquire), kThreads);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (entries_[i].tid.load(std::memory_order_acquire) != 0) visit(entries_[i]);
    }
}

} // namespace hornet
