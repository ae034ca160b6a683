#include "log/access_log.hpp"

#include "log/log_files.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <stdexcept>
#include <strings.h>
#include <unistd.h>

namespace hornet {
namespace {

std::string_view view(hornet_str_t s) { return {s.ptr ? s.ptr : "", s.len}; }

std::string_view request_header(const hornet_request_t* r, std::string_view name) {
    if (!r) return {};
    for (size_t i = 0; i < r->header_count; ++i) {
        auto n = view(r->headers[i].name);
        if (n.size() == name.size() && ::strncasecmp(n.data(), name.data(), n.size()) == 0)
            return view(r->headers[i].value);
    }
    return {};
}

void append_or_dash(std::string& line, std::string_view v) {
    if (v.empty()) line += '-';
    else line += v;
}

// [27/Nov/2026:10:00:00 +0000]
void append_time(std::string& line, int64_t unix_us) {
    time_t secs = static_cast<time_t>(unix_us / 1000000);
    tm local{};
    ::localtime_r(&secs, &local);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S %z]", &local);
    line.append(buf, n);
}

} // namespace

AccessLog::AccessLog(const std::string& target) {
    if (target.empty()) return;
    if (target == "-") {
        fd_ = STDOUT_FILENO;
        return;
    }
    try {
        fd_ = open_log_file(target);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("access_logfile ") + e.what());
    }
}

void AccessLog::write(const hornet_access_record_t& rec) const {
    if (fd_ < 0) return;
    std::string line;
    line.reserve(256);
    append_or_dash(line, view(rec.peer_host));
    line += " - - ";
    append_time(line, rec.start_unix_us);
    line += " \"";
    line += view(rec.request_line);
    line += "\" " + std::to_string(rec.status) + ' ';
    line += rec.body_bytes ? std::to_string(rec.body_bytes) : "-";
    line += " \"";
    append_or_dash(line, request_header(rec.request, "referer"));
    line += "\" \"";
    append_or_dash(line, request_header(rec.request, "user-agent"));
    line += "\"\n";
    [[maybe_unused]] auto n = ::write(fd_, line.data(), line.size());
}

} // namespace hornet
