// The request rules Beast leaves to us; see request_rules.hpp.
#include "request_rules.hpp"

#include <array>

#include "hornet/support/http_syntax.hpp"
#include "hornet/support/text.hpp"

namespace hornet::sdk::rules {
namespace {

using Table = std::array<bool, 256>;

constexpr Table make_table(std::string_view extra, bool alnum) {
    Table t{};
    if (alnum) {
        for (int c = '0'; c <= '9'; ++c) t[c] = true;
        for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
        for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    }
    for (char c : extra) t[static_cast<unsigned char>(c)] = true;
    return t;
}

// RFC 3986 reg-name: unreserved, pct-encoded ('%' checked apart), sub-delims.
constexpr Table kRegName = make_table("-._~!$&'()*+,;=%", true);
// Inside [ ]: IPv6 and IPvFuture.
constexpr Table kIpLiteral = make_table("-._~!$&'()*+,;=:", true);

bool all_of(std::string_view s, const Table& t) {
    for (char c : s)
        if (!t[static_cast<unsigned char>(c)]) return false;
    return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool all_digits(std::string_view s) {
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

// "[" IPv6 / IPvFuture "]" [ ":" port ]
bool is_ip_literal_host(std::string_view value) {
    const size_t close = value.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    const std::string_view rest = value.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || !all_digits(rest.substr(1)))) return false;
    return all_of(value.substr(1, close - 1), kIpLiteral);
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// scheme "://" authority [ path-abempty [ "?" query ] ]: RFC 3986's scheme =
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); the authority must be a
// non-empty host[:port] (RFC 9110 4.2: no userinfo, no empty host), so bad
// brackets and stray characters are refused as they are in Host.
bool is_absolute_form(std::string_view target) {
    const size_t colon = target.find("://");
    if (colon == 0 || colon == std::string_view::npos || !is_alpha(target[0])) return false;
    for (char c : target.substr(0, colon))
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
    std::string_view authority = target.substr(colon + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    return !authority.empty() && authority[0] != ':' && is_valid_host(authority);
}

} // namespace

int version_status(std::string_view line) {
    const size_t space = line.rfind(' ');
    if (space == std::string_view::npos) return 0;
    const std::string_view v = line.substr(space + 1);
    if (v == "HTTP/1.1" || v == "HTTP/1.0") return 0;
    if (v.size() < 6 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5])) return 0;
    // HTTP/2, HTTP/2.0, HTTP/1.2: a version we do not speak.
    if (v.size() == 6 || (v.size() == 8 && v[6] == '.' && is_digit(v[7]))) return 505;
    return 0;
}

int target_status(std::string_view method, std::string_view target) {
    if (target.empty()) return 400;
    if (target[0] == '/') return 0;
    if (target == "*") return method == "OPTIONS" ? 0 : 400;
    if (method == "CONNECT") return is_valid_host(target) ? 0 : 400;
    return is_absolute_form(target) ? 0 : 400;
}

// One pass: the hot path of every request.
bool is_valid_host(std::string_view value) {
    if (!value.empty() && value[0] == '[') return is_ip_literal_host(value);
    const size_t n = value.size();
    size_t i = 0;
    for (; i < n; ++i) {
        const char c = value[i];
        if (!kRegName[static_cast<unsigned char>(c)]) break;
        if (c == '%' && !(i + 2 < n && is_hex(value[i + 1]) && is_hex(value[i + 2]))) return false;
    }
    if (i == n) return true;
    return value[i] == ':' && all_digits(value.substr(i + 1));
}

bool is_content_length(std::string_view value) { return !value.empty() && all_digits(value); }

int transfer_encoding_status(std::string_view value) {
    bool chunked_last = false, seen_chunked = false, others = false;
    for (bool last = false; !last;) {
        const size_t comma = value.find(',');
        const std::string_view piece = trim_ows(value.substr(0, comma));
        last = comma == std::string_view::npos;
        value = last ? std::string_view{} : value.substr(comma + 1);
        if (piece.empty()) return 400; // RFC 9110 5.6.1 tolerates these; framing is no place for it
        const size_t semi = piece.find(';'); // a coding's parameters: only the name matters here
        const std::string_view name = trim_ows(piece.substr(0, semi));
        if (!support::is_token(name)) return 400;
        const bool is_chunked = support::iequals(name, "chunked");
        if (is_chunked && (seen_chunked || semi != std::string_view::npos)) return 400;
        if (!is_chunked) others = true;
        seen_chunked = seen_chunked || is_chunked;
        chunked_last = is_chunked;
    }
    if (!chunked_last) return 400;
    return others ? 501 : 0;
}

bool te_lists_trailers(std::string_view value) {
    for (bool last = false; !last;) {
        const size_t comma = value.find(',');
        const std::string_view piece = trim_ows(value.substr(0, comma));
        last = comma == std::string_view::npos;
        value = last ? std::string_view{} : value.substr(comma + 1);
        if (support::iequals(piece, "trailers")) return true; // "trailers" takes no parameters
    }
    return false;
}

bool has_bare_cr_or_lf(std::string_view s, char prev) {
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\n' && (i != 0 ? s[i - 1] : prev) != '\r') return true;
        if (c == '\r' && i + 1 < s.size() && s[i + 1] != '\n') return true;
    }
    return false;
}

bool only_ows(const char* first, const char* last) {
    for (; first < last; ++first)
        if (*first != ' ' && *first != '\t') return false;
    return true;
}

} // namespace hornet::sdk::rules
