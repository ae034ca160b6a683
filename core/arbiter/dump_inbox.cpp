// The dump pipe's reading end; see dump_inbox.hpp.
#include "arbiter/dump_inbox.hpp"

#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

#include "worker/dump_protocol.hpp"

namespace hornet {
namespace {

// Room for big dumps in flight while the arbiter is busy; the kernel may
// refuse more than pipe-max-size, and the default then stays.
constexpr int kPipeBytes = 1 << 20;

void append_capped(std::string& dump, std::string_view part) {
    constexpr std::string_view cut = "\n(the rest of this dump was cut)\n";
    const std::size_t room = DumpAssembler::kMaxDumpBytes - cut.size();
    if (dump.size() >= room) return;
    dump.append(part.substr(0, room - dump.size()));
    if (dump.size() == room) dump.append(cut);
}

} // namespace

std::vector<ReceivedDump> DumpAssembler::feed(std::string_view bytes) {
    std::vector<ReceivedDump> done;
    pending_.append(bytes);
    std::size_t at = 0;
    while (pending_.size() - at >= sizeof(dump::FrameHead)) {
        dump::FrameHead head;
        std::memcpy(&head, pending_.data() + at, sizeof head);
        if (pending_.size() - at - sizeof head < head.length) break;
        const auto pid = static_cast<pid_t>(head.pid);
        append_capped(partial_[pid], std::string_view(pending_).substr(at + sizeof head, head.length));
        at += sizeof head + head.length;
        if (!head.last) continue;
        done.push_back({pid, std::move(partial_[pid])});
        partial_.erase(pid);
    }
    pending_.erase(0, at);
    return done;
}

void DumpAssembler::forget_unless(const std::function<bool(pid_t)>& keep) {
    std::erase_if(partial_, [&](const auto& entry) { return !keep(entry.first); });
}

DumpInbox::DumpInbox(boost::asio::io_context& io) : read_(io), buffer_(64 * 1024) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot create the dump pipe: ") + std::strerror(errno));
    ::fcntl(fds[0], F_SETPIPE_SZ, kPipeBytes);
    read_.assign(fds[0]);
    read_.non_blocking(true);
    write_fd_ = fds[1];
}

DumpInbox::~DumpInbox() {
    if (write_fd_ >= 0) ::close(write_fd_);
}

void DumpInbox::start(Handler on_dump) {
    on_dump_ = std::move(on_dump);
    read_next();
}

void DumpInbox::read_next() {
    read_.async_read_some(boost::asio::buffer(buffer_), [this](const boost::system::error_code& ec, std::size_t n) {
        if (ec) return;
        for (ReceivedDump& d : assembler_.feed(std::string_view(buffer_.data(), n))) on_dump_(std::move(d));
        read_next();
    });
}

void DumpInbox::close_in_child() {
    // Not through Asio: deregistering would change the epoll set the child
    // shares with the arbiter. The child never runs this loop.
    ::close(read_.native_handle());
}

} // namespace hornet
