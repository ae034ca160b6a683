// Gunicorn's access-log atoms: compiled once, then appended piece by piece.
#include "log/access_log_format.hpp"

#include "log/access_record.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <unistd.h>

namespace hornet {
namespace {

using access_record::protocol;
using access_record::request_header;
using support::view;

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

void append_pid(std::string& line) {
    char buf[24];
    line.append(buf, static_cast<size_t>(std::snprintf(buf, sizeof buf, "<%d>", static_cast<int>(::getpid()))));
}

} // namespace

AccessLogFormat::AccessLogFormat(std::string_view format) {
    if (JsonAccessLogFormat::selects(format)) {
        json_.emplace(format);
        return;
    }
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
    if (name.size() > 3 && name.front() == '{' && name[name.size() - 2] == '}' && name.back() == 'e')
        return add_tls_atom(name.substr(1, name.size() - 3));
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
                                ")s; known: h l u t r m U q H s B b f a p T M D L {header}i {header}o {ssl_...}e");
}

// Gunicorn's %({NAME}e)s reads the WSGI environ; here the names that carry
// the connection's TLS, the only environ a worker type reports.
void AccessLogFormat::add_tls_atom(std::string_view name) {
    if (const auto fact = access_record::tls_fact_named(name)) {
        pieces_.push_back({Atom::tls, {}, *fact});
        return;
    }
    std::string known;
    for (std::string_view n : access_record::kTlsFactNames) known.append(" {").append(n).append("}e");
    throw std::invalid_argument("unknown atom %({" + std::string(name) + "}e)s; known:" + known);
}

void AccessLogFormat::append(std::string& line, const hornet_access_record_t& rec) const {
    if (json_) return json_->append(line, rec);
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
    case Atom::user: return append_or_dash(line, access_record::basic_auth_user(rec));
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
        return append_or_dash(line, access_record::response_header(rec, piece.text));
    case Atom::tls: return append_or_dash(line, access_record::tls_fact(rec, piece.tls));
    }
}

} // namespace hornet
