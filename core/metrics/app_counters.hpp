// AppCounters: the counters apps register through "hornet.metrics/1", in
// the scoreboard's shared memory, so that /metrics (the arbiter) shows what
// every worker added, and a counter outlives the worker that added to it.
//
// A bounded table (kCounters). An app registers a counter by name in
// create(), in the arbiter (preload_app) or in each worker: the same name
// gives the same counter, whoever registered it first. A registrant claims a
// free entry (state free -> writing), writes name and help, then publishes
// it (ready); readers skip an entry that is not ready. Adding is one relaxed
// fetch_add on the shared value, from any thread of any process.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

#include <hornet/ext.h>

namespace hornet::metrics {

class AppCounters {
public:
    static constexpr std::size_t kCounters = 64;
    static constexpr std::size_t kNameBytes = 48;
    static constexpr std::size_t kHelpBytes = 160;

    // The counter's index, or HORNET_EINVAL (a name that is not
    // [a-zA-Z_][a-zA-Z0-9_]*, or longer than kNameBytes) or HORNET_ENOMEM
    // (the table is full). Help is cut at kHelpBytes.
    int find_or_add(std::string_view name, std::string_view help);
    void add(int counter, std::uint64_t delta);

    struct View {
        std::string_view name;
        std::string_view help;
        std::uint64_t value;
    };
    // [arbiter] Every published counter, in registration order.
    void for_each(const std::function<void(const View&)>& visit) const;

    // The table of this process tree (the arbiter sets it before any app is
    // created; workers inherit it), and the extension table that reaches it.
    static void install(AppCounters* table);
    static const hornet_metrics_ext_t* extension();

private:
    enum State : std::uint32_t { free_entry = 0, writing, ready };
    struct Entry {
        std::atomic<std::uint32_t> state;
        std::atomic<std::uint64_t> value;
        std::uint8_t name_len;
        std::uint8_t help_len;
        char name[kNameBytes];
        char help[kHelpBytes];
    };
    int match(std::size_t i, std::string_view name);

    std::array<Entry, kCounters> entries_;
};

} // namespace hornet::metrics
