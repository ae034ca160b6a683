// ThreadRequests: which request each thread of this worker process is
// serving, for the head of a stack dump.
//
// A serving thread takes an entry on its first request (thread-local index,
// so later requests cost two stores) and writes the request it hands to the
// app there; the dump thread reads every entry without stopping anyone.
// An event-loop thread serves many requests at once: its entry shows the
// latest and how many are in flight. Fixed size and allocation-free after
// start, so a reader in a hurry never waits on a writer. Worker process only.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>
#include <sys/types.h>

#include "scoreboard/busy_request.hpp"

namespace hornet {

class ThreadRequests {
public:
    struct Entry {
        std::atomic<pid_t> tid{0};
        std::atomic<std::int64_t> in_flight{0};
        BusyRequest busy;
    };

    // [a serving thread] The request goes to the app / is over.
    void begin(std::string_view method, std::string_view path, std::int64_t now_ms);
    void end();

    // [any thread] Every thread that has served a request, in order taken.
    void for_each(const std::function<void(const Entry&)>& visit) const;
    // Threads that found the table full and go unlisted.
    std::uint32_t untracked() const { return untracked_.load(std::memory_order_relaxed); }

    static ThreadRequests& process(); // this worker process's table

    static constexpr std::size_t kThreads = 512;

private:
    Entry* mine();

    std::array<Entry, kThreads> entries_{};
    std::atomic<std::uint32_t> used_{0};
    std::atomic<std::uint32_t> untracked_{0};
};

} // namespace hornet
