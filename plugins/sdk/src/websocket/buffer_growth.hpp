// Private to the WebSocket codec: grow a string's capacity geometrically
// but never past a bound, so a message limit is also an allocation limit
// (libstdc++'s own growth doubles past any bound we have).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

namespace hornet::sdk::websocket::detail {

// Room for `need` bytes in `s`, capacity at most max(need, bound).
inline void reserve_bounded(std::string& s, size_t need, size_t bound) {
    if (need <= s.capacity()) return;
    size_t target = std::max(need, std::min(s.capacity() * 2, bound));
    std::string bigger;
    bigger.reserve(target); // from an empty string: exactly target
    bigger.append(s);
    s.swap(bigger);
}

// Append `n` unspecified bytes; returns where they start.
inline char* grow_by(std::string& s, size_t n, size_t bound) {
    size_t old = s.size();
    reserve_bounded(s, old + n, bound);
    s.resize(old + n);
    return s.data() + old;
}

} // namespace hornet::sdk::websocket::detail
