// The arbiter's control socket (docs/control.md): a unix stream socket,
// mode 0600, on the arbiter's Boost.Asio loop, serving any number of clients
// at once (up to max_sessions), each through a ControlSession. The commands
// are whatever was added to commands(); the arbiter adds the built-in ones
// (core/arbiter/arbiter_control.cpp).
//
// Arbiter thread only. The descriptors are close-on-exec (a binary upgrade's
// new arbiter does not inherit them) and close_in_child() drops them in a
// forked worker, so only the arbiter ever holds the socket.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "control/command_registry.hpp"
#include "control/control_path.hpp"
#include "control/control_socket_file.hpp"

namespace hornet {

class ControlSession;

class ControlServer {
public:
    static constexpr std::size_t max_sessions = 32;

    explicit ControlServer(boost::asio::io_context& io);
    ~ControlServer(); // closes everything and removes the socket file

    CommandRegistry& commands() { return commands_; }
    // Runs after every command handler (the arbiter reconciles, as after a signal).
    void after_each_command(std::function<void()> fn) { after_command_ = std::move(fn); }

    // Binds at place.path and starts accepting; nothing when the path is "".
    // A failure throws std::runtime_error (one line) when the config named
    // the path; at the default place it logs a warning and hornet runs on
    // without a control socket.
    void open(const ControlSocketPlace& place);
    // Stops accepting, closes every session, removes the socket file.
    void close();
    // In a forked worker, before it runs: see the header comment.
    void close_in_child();

    // USR2: the path is left to the new arbiter; ours moves to PATH.oldbin
    // (as the pid file does) and back if the new arbiter exits.
    void step_aside();
    void step_back();

    // The path we listen on, "" when closed.
    std::string path() const { return file_ ? file_->path() : std::string(); }

private:
    void bind(const std::string& path);
    void accept_next();
    void on_accept(boost::asio::local::stream_protocol::socket socket);

    boost::asio::io_context& io_;
    CommandRegistry commands_;
    std::function<void()> after_command_;
    std::unique_ptr<ControlSocketFile> file_;
    std::string home_; // the path the config gave (file_ may be at home_ + ".oldbin")
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::vector<std::weak_ptr<ControlSession>> sessions_;
};

} // namespace hornet
