// The shared character rules; see http_syntax.hpp.
#include "hornet/support/http_syntax.hpp"

#include <array>

namespace hornet::support {
namespace {

constexpr std::array<bool, 256> make_token_table() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr std::array<bool, 256> kToken = make_token_table();

} // namespace

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!kToken[static_cast<unsigned char>(c)]) return false;
    return true;
}

bool is_field_value(std::string_view s) {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
    }
    return true;
}

} // namespace hornet::support
