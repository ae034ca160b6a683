// The control socket's accept loop and its file; see control_server.hpp.
#include "control/control_server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "control/control_session.hpp"

namespace hornet {

namespace local = boost::asio::local;

ControlServer::ControlServer(boost::asio::io_context& io) : io_(io), acceptor_(io) {}

ControlServer::~ControlServer() { close(); }

void ControlServer::open(const ControlSocketPlace& place) {
    if (place.path.empty()) return spdlog::info("Control socket: off");
    try {
        if (!place.private_dir.empty()) make_private_directory(place.private_dir);
        bind(place.path);
    } catch (const std::runtime_error& e) {
        if (place.named) throw;
        spdlog::warn("No control socket: {} (set control_socket to choose another place)", e.what());
        return;
    }
    home_ = place.path;
    spdlog::info("Control socket at: {}", place.path);
}

void ControlServer::bind(const std::string& path) {
    auto file = std::make_unique<ControlSocketFile>(path);
    acceptor_.assign(local::stream_protocol(), file->take_fd());
    file_ = std::move(file);
    accept_next();
}

void ControlServer::accept_next() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, local::stream_protocol::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) on_accept(std::move(socket));
        accept_next();
    });
}

void ControlServer::on_accept(local::stream_protocol::socket socket) {
    ::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC); // Asio's accept does not set it
    std::erase_if(sessions_, [](const auto& s) { return s.expired(); });
    auto session = std::make_shared<ControlSession>(std::move(socket), commands_, after_command_);
    if (sessions_.size() >= max_sessions) {
        spdlog::warn("Control socket: {} clients already; refusing one more", max_sessions);
        return session->refuse_busy();
    }
    sessions_.push_back(session);
    session->start();
}

void ControlServer::close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& weak : sessions_)
        if (auto s = weak.lock()) s->close();
    sessions_.clear();
    file_.reset();
}

void ControlServer::close_in_child() {
    if (acceptor_.is_open()) ::close(acceptor_.native_handle());
    for (auto& weak : sessions_)
        if (auto s = weak.lock()) s->close_in_child();
}

void ControlServer::step_aside() {
    if (!file_ || file_->path() != home_) return;
    if (!file_->move_to(home_ + ".oldbin"))
        spdlog::warn("Control socket {}: cannot move it aside for the new arbiter: {}", home_, std::strerror(errno));
}

// The new arbiter has gone and removed its own socket, or left a stale one:
// rename() replaces it.
void ControlServer::step_back() {
    if (!file_ || file_->path() == home_) return;
    if (!file_->move_to(home_)) spdlog::warn("Control socket {}: cannot move it back: {}", home_, std::strerror(errno));
}

} // namespace hornet
