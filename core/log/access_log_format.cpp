// Gunicorn's access-log atoms: compiled once, then appended piece by piece.
#include "log/access_log_format.hpp"
#include "hornet/support/text.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <strings.h>
#include <unistd.h>

namespace hornet {
namespace {

using support::iequals;
using support::view;

// The first header of that name, or nullptr.
const hornet_str_t* find(const hornet_header_t* headers, size_t count, std::string_view name) {
    for (size_t i = 0; i < count; ++i)
        if (iequals(view(headers[i].name), name)) return &headers[i].value;
    return nullptr;
}

const hornet_str_t* request_header(const hornet_access_record_t& rec, std::string_view name) {
    return rec.request ? find(rec.request->headers, rec.request->header_count, name) : nullptr;
}

// Apache's escaping: the line stays one line, quoted fields stay quoted.
void append_escaped(std::string& line, std::string_view v) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            line += '\\';
            line += c;
        } else if (u < 0x20 || u == 0x7f) {
            line += "\\x";
            line += kHex[u >> 4];
            line += kHex[u & 15];
        } else {
            line += c;
        }
    }
}

void append_or_dash(std::string& line, std::string_view v) {
    if (v.empty()) line += '-';
    else append_escaped(line, v);
}

void append_or_dash(std::string& line, const hornet_str_t* v) { append_or_dash(line, v ? view(*v) : ""); }

// [27/Nov/2026:10:00:00 +0000], local time as Gunicorn.
void append_time(std::string& line, int64_t unix_us) {
    const time_t secs = static_cast<time_t>(unix_us / 1000000);
    tm local{};
    ::localtime_r(&secs, &local);
    char buf[64];
    const size_t n = std::strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S %z]", &local);
    line.append(buf, n);
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

// The user of "Authorization: Basic base64(user:password)", as Gunicorn's %(u)s.
std::string basic_auth_user(std::string_view auth) {
    if (auth.size() < 6 || !iequals(auth.substr(0, 6), "basic ")) return {};
    std::string out;
    unsigned bits = 0, acc = 0;
    for (char c : auth.substr(6)) {
        const int v = base64_value(c);
        if (v < 0) continue; // padding, spaces
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits < 8) continue;
        bits -= 8;
        const char byte = static_cast<char>((acc >> bits) & 0xff);
        if (byte == ':') return out;
        out += byte;
    }
    return out;
}

std::string_view protocol(int version) { return version == 10 ? "HTTP/1.0" : "HTTP/1.1"; }

void append_pid(std::string& line) {
    char buf[24];
    line.append(buf, static_cast<size_t>(std::snprintf(buf, sizeof buf, "<%d>", static_cast<int>(::getpid()))));
}

} // namespace

AccessLogFormat::AccessLogFormat(std::string_view format) {
    std::string text;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            text += format[i];
            continue;
        }
        if (i + 1 < format.size() && format[i + 1] == '%') {
            text += '%';
            ++i;
            continue;
        }
        const size_t close = format.find(")s", i);
        if (i + 1 >= format.size() || format[i + 1] != '(' || close == std::string_view::npos)
            throw std::invalid_argument("'%' at offset " + std::to_string(i) +
                                        " starts no %(atom)s; write %% for a percent sign");
        if (!text.empty()) pieces_.push_back({Atom::text, std::move(text)});
        text.clear();
        add_atom(format.substr(i + 2, close - i - 2));
        i = close + 1;
    }
    if (!text.empty()) pieces_.push_back({Atom::text, std::move(text)});
}

void AccessLogFormat::add_atom(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, Atom>, 19> kAtoms = {{
        {"h", Atom::remote},  {"l", Atom::dash},        {"u", Atom::user},      {"t", Atom::time},
        {"r", Atom::request_line}, {"m", Atom::method}, {"U", Atom::path},      {"q", Atom::query},
        {"H", Atom::protocol}, {"s", Atom::status},     {"B", Atom::bytes},     {"b", Atom::bytes_clf},
        {"f", Atom::referer}, {"a", Atom::user_agent},  {"p", Atom::pid},       {"T", Atom::seconds},
        {"M", Atom::millis},  {"D", Atom::micros},      {"L", Atom::decimal_seconds},
    }};
    if (name.size() > 3 && name.front() == '{' && name[name.size() - 2] == '}' &&
        (name.back() == 'i' || name.back() == 'o')) {
        const Atom kind = name.back() == 'i' ? Atom::request_header : Atom::response_header;
        pieces_.push_back({kind, std::string(name.substr(1, name.size() - 3))});
        return;
    }
    for (const auto& [atom_name, atom] : kAtoms) {
        if (atom_name == name) {
            pieces_.push_back({atom, {}});
            return;
        }
    }
    throw std::invalid_argument("unknown atom %(" + std::string(name) +
                                ")s; known: h l u t r m U q H s B b f a p T M D L {header}i {header}o");
}

void AccessLogFormat::append(std::string& line, const hornet_access_record_t& rec) const {
    for (const Piece& piece : pieces_) append_piece(line, piece, rec);
}

void AccessLogFormat::append_piece(std::string& line, const Piece& piece, const hornet_access_record_t& rec) const {
    const hornet_request_t* req = rec.request;
    const int64_t us = rec.duration_us < 0 ? 0 : rec.duration_us;
    char num[32];
    switch (piece.atom) {
    case Atom::text: line += piece.text; return;
    case Atom::remote: return append_or_dash(line, view(rec.peer_host));
    case Atom::dash: line += '-'; return;
    case Atom::user: {
        const hornet_str_t* auth = request_header(rec, "authorization");
        return append_or_dash(line, auth ? basic_auth_user(view(*auth)) : std::string());
    }
    case Atom::time: return append_time(line, rec.start_unix_us);
    case Atom::request_line: return append_escaped(line, view(rec.request_line));
    case Atom::method: return append_or_dash(line, req ? view(req->method) : "");
    case Atom::path: return append_or_dash(line, req ? view(req->path) : "");
    case Atom::query: return req ? append_escaped(line, view(req->query)) : append_or_dash(line, "");
    case Atom::protocol: line += req ? protocol(req->version) : "-"; return;
    case Atom::status: line += std::to_string(rec.status); return;
    case Atom::bytes:
    case Atom::bytes_clf: line += std::to_string(rec.body_bytes); return;
    case Atom::referer: return append_or_dash(line, request_header(rec, "referer"));
    case Atom::user_agent: return append_or_dash(line, request_header(rec, "user-agent"));
    case Atom::pid: return append_pid(line);
    case Atom::seconds: line += std::to_string(us / 1000000); return;
    case Atom::millis: line += std::to_string(us / 1000); return;
    case Atom::micros: line += std::to_string(us); return;
    case Atom::decimal_seconds:
        line.append(num, static_cast<size_t>(std::snprintf(num, sizeof num, "%lld.%06lld",
                                                            static_cast<long long>(us / 1000000),
                                                            static_cast<long long>(us % 1000000))));
        return;
    case Atom::request_header: return append_or_dash(line, request_header(rec, piece.text));
    case Atom::response_header:
        return append_or_dash(line, find(rec.response_headers, rec.response_header_count, piece.text));
    }
}

} // namespace hornet
