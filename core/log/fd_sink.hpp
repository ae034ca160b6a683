// An spdlog sink that writes each formatted line with one write(2) to a fixed
// fd: lines from the arbiter and every worker never interleave (O_APPEND),
// and USR1 can swap the file underneath (see log_files.hpp).
#pragma once

#include <mutex>

#include <spdlog/sinks/base_sink.h>

namespace hornet {

class FdSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit FdSink(int fd) : fd_(fd) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override {}

private:
    int fd_;
};

} // namespace hornet
