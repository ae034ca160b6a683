// hornet/support/text.hpp: the two text helpers every side of the ABI
// needs: a hornet_str_t as a string_view, and ASCII case-insensitive
// equality (header names, codings, tokens: never locale-dependent).
#pragma once

#include <cstddef>
#include <string_view>

#include "hornet/abi.h"

namespace hornet::support {

// A null ptr is the empty string, whatever len says.
inline std::string_view view(hornet_str_t s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }

inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

} // namespace hornet::support
