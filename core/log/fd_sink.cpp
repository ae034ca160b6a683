#include "log/fd_sink.hpp"

#include <unistd.h>

namespace hornet {

void FdSink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    [[maybe_unused]] auto n = ::write(fd_, line.data(), line.size());
}

} // namespace hornet
