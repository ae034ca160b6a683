// The app counter table and the "hornet.metrics/1" extension; see
// app_counters.hpp.
#include "metrics/app_counters.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <thread>

#include "hornet/support/text.hpp"

namespace hornet::metrics {
namespace {

AppCounters* g_table = nullptr;

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > AppCounters::kNameBytes) return false;
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    return std::all_of(name.begin(), name.end(), word);
}

// The extension's C entry points.
int ext_counter(const hornet_host_t*, hornet_str_t name, hornet_str_t help) {
    if (!g_table) return HORNET_EINVAL;
    return g_table->find_or_add(support::view(name), support::view(help));
}

void ext_add(const hornet_host_t*, int counter, uint64_t delta) {
    if (g_table) g_table->add(counter, delta);
}

const hornet_metrics_ext_t kExtension = {
    .head = HORNET_HEAD_INIT(hornet_metrics_ext_t),
    .counter = &ext_counter,
    .add = &ext_add,
};

} // namespace

void AppCounters::install(AppCounters* table) { g_table = table; }

const hornet_metrics_ext_t* AppCounters::extension() { return g_table ? &kExtension : nullptr; }

// The index when entry i is (or becomes, while another registrant writes
// it) the counter `name`; -1 when it is another or free.
int AppCounters::match(std::size_t i, std::string_view name) {
    Entry& e = entries_[i];
    for (int spins = 0; e.state.load(std::memory_order_acquire) == writing && spins < 10000; ++spins)
        std::this_thread::yield();
    if (e.state.load(std::memory_order_acquire) != ready) return -1;
    return std::string_view(e.name, e.name_len) == name ? static_cast<int>(i) : -1;
}

int AppCounters::find_or_add(std::string_view name, std::string_view help) {
    if (!valid_name(name)) return HORNET_EINVAL;
    for (std::size_t i = 0; i < kCounters; ++i) {
        if (int found = match(i, name); found >= 0) return found;
        Entry& e = entries_[i];
        std::uint32_t expected = free_entry;
        if (!e.state.compare_exchange_strong(expected, writing, std::memory_order_acquire)) {
            if (int found = match(i, name); found >= 0) return found; // raced with the same name
            continue;
        }
        help = help.substr(0, kHelpBytes);
        std::memcpy(e.name, name.data(), name.size());
        std::memcpy(e.help, help.data(), help.size());
        e.name_len = static_cast<std::uint8_t>(name.size());
        e.help_len = static_cast<std::uint8_t>(help.size());
        e.value.store(0, std::memory_order_relaxed);
        e.state.store(ready, std::memory_order_release);
        return static_cast<int>(i);
    }
    return HORNET_ENOMEM;
}

void AppCounters::add(int counter, std::uint64_t delta) {
    if (counter < 0 || static_cast<std::size_t>(counter) >= kCounters) return;
    Entry& e = entries_[static_cast<std::size_t>(counter)];
    if (e.state.load(std::memory_order_relaxed) == ready) e.value.fetch_add(delta, std::memory_order_relaxed);
}

void AppCounters::for_each(const std::function<void(const View&)>& visit) const {
    for (const Entry& e : entries_) {
        if (e.state.load(std::memory_order_acquire) != ready) continue;
        visit({std::string_view(e.name, e.name_len), std::string_view(e.help, e.help_len),
               e.value.load(std::memory_order_relaxed)});
    }
}

} // namespace hornet::metrics
