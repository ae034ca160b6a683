// One control client; see control_session.hpp.
#include "control/control_session.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "config/suggest.hpp"
#include "control/control_request.hpp"
#include "control/json_line.hpp"

namespace hornet {
namespace {

namespace json = boost::json;

std::string who_may(uid_t arbiter) {
    if (arbiter == 0) return "only root may use it";
    return "only uid " + std::to_string(arbiter) + " (which runs this hornet) and root may use it";
}

std::string unknown_command(const CommandRegistry& commands, const std::string& name) {
    std::vector<std::string_view> names;
    for (const ControlCommand& c : commands.all()) names.push_back(c.name);
    std::string hint = did_you_mean(name, names);
    return "unknown command '" + name + "'" + (hint.empty() ? "; `hornet ctl help` lists them" : hint);
}

std::string described(const ControlRequest& r) {
    std::string text = r.command;
    for (const std::string& a : r.args) text += " " + a;
    return text;
}

} // namespace

ControlSession::ControlSession(Socket socket, const CommandRegistry& commands, std::function<void()> after_command)
    : socket_(std::move(socket)), commands_(commands), after_command_(std::move(after_command)), in_(max_line) {}

void ControlSession::start() {
    ucred peer{};
    socklen_t len = sizeof peer;
    if (::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0)
        return hang_up("permission_denied", "cannot tell who is connecting (SO_PEERCRED failed)");
    peer_uid_ = peer.uid;
    peer_pid_ = peer.pid;
    const uid_t arbiter = ::geteuid();
    if (peer.uid != 0 && peer.uid != arbiter) {
        spdlog::warn("Control socket: refused uid {} (pid {}): {}", peer.uid, peer.pid, who_may(arbiter));
        return hang_up("permission_denied",
                       "uid " + std::to_string(peer.uid) + " may not use this control socket: " + who_may(arbiter));
    }
    read_next();
}

void ControlSession::refuse_busy() {
    hang_up("busy", "too many control clients at once; try again when one has finished");
}

void ControlSession::read_next() {
    boost::asio::async_read_until(
        socket_, in_, '\n',
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) { self->on_read(ec, n); });
}

void ControlSession::on_read(const boost::system::error_code& ec, std::size_t bytes) {
    if (ec == boost::asio::error::not_found)
        return hang_up("line_too_long", "a request line is longer than " + std::to_string(max_line / 1024) +
                                            " KiB; closing the connection");
    if (ec) {
        reading_ = false; // EOF or a reset: answer what is pending, then close
        return close_when_done();
    }
    std::string line(boost::asio::buffers_begin(in_.data()), boost::asio::buffers_begin(in_.data()) + bytes - 1);
    in_.consume(bytes);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    handle_line(std::move(line));
    if (reading_) read_next();
}

void ControlSession::handle_line(std::string line) {
    if (line.find_first_not_of(" \t") == std::string::npos) return; // a blank line asks nothing
    auto parsed = parse_request(line);
    if (auto* error = std::get_if<RequestError>(&parsed)) return reject(error->id, error->code, error->message);
    ControlRequest request = std::get<ControlRequest>(std::move(parsed));
    request.peer_uid = peer_uid_;
    request.peer_pid = peer_pid_;
    dispatch(std::move(request));
}

void ControlSession::dispatch(ControlRequest request) {
    const ControlCommand* command = commands_.find(request.command);
    if (!command) return reject(request.id, "unknown_command", unknown_command(commands_, request.command));
    const std::size_t n = request.args.size();
    if (n < command->min_args || n > command->max_args)
        return reject(request.id, "bad_arguments", "usage: " + command->usage);
    auto level = command->read_only ? spdlog::level::debug : spdlog::level::info;
    spdlog::log(level, "Handling control command: {} (uid {}, pid {})", described(request), peer_uid_, peer_pid_);
    ++unanswered_;
    Responder reply(shared_from_this(), request.id);
    try {
        command->handler(request, reply);
    } catch (const std::exception& e) { // a bug: say so, and keep the arbiter up
        spdlog::error("Control command {} failed: {}", request.command, e.what());
        reply.fail("internal", std::string("the command failed: ") + e.what());
    }
    if (after_command_) after_command_();
}

void ControlSession::reject(json::value id, std::string_view code, std::string_view message) {
    ++unanswered_;
    Responder(shared_from_this(), std::move(id)).fail(code, message);
}

// An error, then the connection closes once it is written.
void ControlSession::hang_up(std::string_view code, std::string_view message) {
    reading_ = false;
    reject(nullptr, code, message);
}

void ControlSession::send_reply(const json::object& line) {
    if (unanswered_ > 0) --unanswered_;
    if (!socket_.is_open()) return;
    out_.push_back(to_json_line(line) + "\n");
    write_next();
}

void ControlSession::write_next() {
    if (writing_ || out_.empty()) return close_when_done();
    writing_ = true;
    boost::asio::async_write(socket_, boost::asio::buffer(out_.front()),
                             [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                 self->writing_ = false;
                                 if (!self->out_.empty()) self->out_.pop_front();
                                 if (ec) return self->close();
                                 self->write_next();
                             });
}

void ControlSession::close_when_done() {
    if (!reading_ && !writing_ && out_.empty() && unanswered_ == 0) close();
}

void ControlSession::close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void ControlSession::close_in_child() {
    // Not release(): that would take the descriptor out of the parent's epoll set.
    if (socket_.is_open()) ::close(socket_.native_handle());
}

} // namespace hornet
