// DumpInbox: the arbiter's end of the dump pipe (worker/dump_protocol.hpp).
// One pipe for all workers, made at start: every worker inherits the write
// end (fork copies it) and sends its dumps there in frames; the arbiter
// reads them on its loop, puts each pid's frames back together and hands
// every complete dump to on_dump. Frames of a worker that died mid-dump are
// dropped with forget_unless().
//
// DumpAssembler is the pure part (bytes in, dumps out), unit-tested alone.
// Arbiter thread only. Both descriptors are close-on-exec (a binary
// upgrade's new arbiter makes its own pipe); close_in_child() leaves a
// forked worker only the write end.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace hornet {

struct ReceivedDump {
    pid_t pid;
    std::string text;
};

class DumpAssembler {
public:
    // A dump longer than this is cut, and says so.
    static constexpr std::size_t kMaxDumpBytes = 8u << 20;

    // The dumps that `bytes` completes, in the order their last frames came.
    std::vector<ReceivedDump> feed(std::string_view bytes);
    // Drops the half-sent dumps of the pids `keep` says no to (workers that
    // died mid-dump: their pid may come back).
    void forget_unless(const std::function<bool(pid_t)>& keep);

private:
    std::string pending_;                // a frame split across reads
    std::map<pid_t, std::string> partial_;
};

class DumpInbox {
public:
    using Handler = std::function<void(ReceivedDump dump)>;

    // Makes the pipe; throws std::runtime_error when it cannot.
    explicit DumpInbox(boost::asio::io_context& io);
    ~DumpInbox();

    void start(Handler on_dump);
    int write_fd() const { return write_fd_; }
    void forget_unless(const std::function<bool(pid_t)>& keep) { assembler_.forget_unless(keep); }
    // In a forked worker: closes the read end (the worker keeps write_fd()).
    void close_in_child();

private:
    void read_next();

    boost::asio::posix::stream_descriptor read_;
    int write_fd_ = -1;
    DumpAssembler assembler_;
    Handler on_dump_;
    std::vector<char> buffer_;
};

} // namespace hornet
