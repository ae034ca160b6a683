// One client of the control socket: checks who it is (SO_PEERCRED), reads
// one JSON request a line, runs each through the CommandRegistry and writes
// the replies, one JSON object a line, in the order they are ready (an
// asynchronous reply may overtake an earlier one; the id tells them apart).
//
// A line that is not a request gets an error reply and the connection lives
// on; a line longer than max_line gets one and the connection closes (there
// is no telling where the next request starts). After the client's EOF the
// session stays until every request it sent is answered. Arbiter thread
// only; created by ControlServer.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/json/object.hpp>

#include "control/command_registry.hpp"

namespace hornet {

class ControlSession : public std::enable_shared_from_this<ControlSession> {
public:
    using Socket = boost::asio::local::stream_protocol::socket;
    static constexpr std::size_t max_line = 64 * 1024;

    // after_command runs after each handler returned (the arbiter reconciles).
    ControlSession(Socket socket, const CommandRegistry& commands, std::function<void()> after_command);

    // Refuses a peer that is neither root nor this process's user, else reads.
    void start();
    // Too many clients: an error, then the connection closes.
    void refuse_busy();
    // A reply line (Responder's), written after those before it.
    void send_reply(const boost::json::object& line);
    // Closes the connection now (the arbiter is leaving).
    void close();
    // After fork, in the child: close our descriptor without touching the
    // loop, which the parent still uses.
    void close_in_child();

private:
    void read_next();
    void on_read(const boost::system::error_code& ec, std::size_t bytes);
    void handle_line(std::string line);
    void dispatch(ControlRequest request);
    void reject(boost::json::value id, std::string_view code, std::string_view message);
    void hang_up(std::string_view code, std::string_view message);
    void write_next();
    void close_when_done();

    Socket socket_;
    const CommandRegistry& commands_;
    std::function<void()> after_command_;
    boost::asio::streambuf in_;
    std::deque<std::string> out_;
    bool writing_ = false;
    bool reading_ = true;        // false after EOF or a fatal line: close once all is answered
    std::size_t unanswered_ = 0; // requests whose Responder has not answered yet
    uid_t peer_uid_ = 0;
    pid_t peer_pid_ = 0;
};

} // namespace hornet
