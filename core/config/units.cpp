// Integer, duration and size parsing; see units.hpp.
#include "config/units.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <cctype>
#include <limits>

#include "config/config_error.hpp"

namespace hornet {

namespace {

struct Unit {
    std::string_view name;
    std::uint64_t factor;
};

// Largest first: the formatters pick the first exact one.
constexpr std::array<Unit, 4> kDurationUnits{{{"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}}};

constexpr std::uint64_t kKi = 1024, kK = 1000;
constexpr std::array<Unit, 9> kSizeUnits{{{"TiB", kKi * kKi * kKi * kKi},
                                          {"GiB", kKi * kKi * kKi},
                                          {"MiB", kKi * kKi},
                                          {"KiB", kKi},
                                          {"TB", kK * kK * kK * kK},
                                          {"GB", kK * kK * kK},
                                          {"MB", kK * kK},
                                          {"KB", kK},
                                          {"B", 1}}};

// A number followed by an optional unit, blanks allowed around and between.
struct Quantity {
    std::string_view digits;
    std::string_view unit;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

Quantity split_quantity(std::string_view text) {
    text = trim(text);
    std::size_t n = 0;
    while (n < text.size() && std::isdigit(static_cast<unsigned char>(text[n]))) ++n;
    return {text.substr(0, n), trim(text.substr(n))};
}

bool same_case_blind(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// Digits to a number; false on overflow.
bool to_uint(std::string_view digits, std::uint64_t& out) {
    out = 0;
    for (char c : digits) {
        std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (out > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
        out = out * 10 + d;
    }
    return true;
}

bool multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
    if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b) return false;
    out = a * b;
    return true;
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

template <std::size_t N>
const Unit* find_unit(const std::array<Unit, N>& units, std::string_view name, bool case_blind) {
    for (const Unit& u : units) {
        if (case_blind ? same_case_blind(u.name, name) : u.name == name) return &u;
    }
    return nullptr;
}

template <std::size_t N>
std::string format_exact(std::uint64_t value, const std::array<Unit, N>& units) {
    for (const Unit& u : units) {
        if (value != 0 && value % u.factor == 0) return std::to_string(value / u.factor) + std::string(u.name);
    }
    return std::to_string(value);
}

} // namespace

std::uint64_t parse_uint(std::string_view text, std::uint64_t lo, std::uint64_t hi) {
    std::string_view t = trim(text);
    std::uint64_t value = 0;
    bool ok = !t.empty() && split_quantity(t).digits.size() == t.size() && to_uint(t, value);
    if (ok && value >= lo && value <= hi) return value;
    throw ValueError("expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     ", got " + quoted(text));
}

std::chrono::milliseconds parse_duration(std::string_view text) {
    Quantity q = split_quantity(text);
    if (q.digits.empty())
        throw ValueError("expected a duration such as 30s, 500ms, 2m or 1h, got " + quoted(text));
    // Case matters: "m" is minutes, and "M" would be a guess.
    const Unit* unit = q.unit.empty() ? find_unit(kDurationUnits, "s", false)
                                      : find_unit(kDurationUnits, q.unit, false);
    if (!unit)
        throw ValueError("unknown duration unit " + quoted(q.unit) + " in " + quoted(text) +
                         "; use ms, s, m or h (a bare number is seconds)");
    std::uint64_t n = 0, ms = 0;
    if (!to_uint(q.digits, n) || !multiply(n, unit->factor, ms) ||
        ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw ValueError("duration " + quoted(text) + " is too large");
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::string format_duration(std::chrono::milliseconds d) {
    if (d.count() == 0) return "0s";
    return format_exact(static_cast<std::uint64_t>(d.count()), kDurationUnits);
}

std::uint64_t parse_size(std::string_view text) {
    Quantity q = split_quantity(text);
    if (q.digits.empty())
        throw ValueError("expected a size such as 8190, 64KiB, 1MiB or 10KB, got " + quoted(text));
    const Unit* unit = q.unit.empty() ? &kSizeUnits.back() : find_unit(kSizeUnits, q.unit, true);
    if (!unit)
        throw ValueError("unknown size unit " + quoted(q.unit) + " in " + quoted(text) +
                         "; use B, KiB, MiB, GiB, TiB (x1024) or KB, MB, GB, TB (x1000)");
    std::uint64_t n = 0, bytes = 0;
    if (!to_uint(q.digits, n) || !multiply(n, unit->factor, bytes))
        throw ValueError("size " + quoted(text) + " is too large");
    return bytes;
}

std::string format_size(std::uint64_t bytes) {
    std::string s = format_exact(bytes, kSizeUnits);
    // A bare number is bytes; "4094" reads better than "4094B".
    if (s.size() > 1 && s.back() == 'B' && std::isdigit(static_cast<unsigned char>(s[s.size() - 2])))
        s.pop_back();
    return s;
}

bool parse_bool(std::string_view text) {
    static constexpr std::string_view yes[] = {"true", "yes", "on", "1"};
    static constexpr std::string_view no[] = {"false", "no", "off", "0"};
    std::string lower;
    for (char ch : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (auto word : yes)
        if (lower == word) return true;
    for (auto word : no)
        if (lower == word) return false;
    throw ValueError("expected true or false, got '" + std::string(text) + "'");
}

unsigned parse_octal_mode(std::string_view text) {
    std::string_view digits = text.starts_with("0o") || text.starts_with("0O") ? text.substr(2) : text;
    unsigned mode = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), mode, 8);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || mode > 0777)
        throw ValueError("expected an octal mode from 000 to 777 such as 022, got '" + std::string(text) + "'");
    return mode;
}

std::string format_octal_mode(unsigned mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0%03o", mode);
    return buf;
}

} // namespace hornet
