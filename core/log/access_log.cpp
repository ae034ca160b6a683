// The access log file: open once in the arbiter, one write(2) per line.
#include "log/access_log.hpp"

#include "log/log_files.hpp"

#include <stdexcept>
#include <unistd.h>

namespace hornet {

AccessLog::AccessLog(const std::string& target, std::string_view format) : format_(format) {
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
    format_.append(line, rec);
    line += '\n';
    [[maybe_unused]] auto n = ::write(fd_, line.data(), line.size());
}

} // namespace hornet
