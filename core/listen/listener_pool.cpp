#include "listen/listener_pool.hpp"

#include <sys/socket.h>

#include <unistd.h>

#include <spdlog/spdlog.h>

namespace hornet {

ListenerPool::ListenerPool(InheritedSockets inherited)
    : unclaimed_(std::move(inherited.from_upgrade)), upgraded_from_(unclaimed_.empty() ? 0 : ::getppid()) {
    for (auto& s : inherited.from_systemd) {
        systemd_specs_.push_back(s.spec);
        unclaimed_.push_back(std::move(s));
    }
}

ListenerPool::~ListenerPool() {
    for (const auto& s : unclaimed_) ::close(s.fd);
}

std::vector<std::string> ListenerPool::systemd_specs() const { return systemd_specs_; }

std::shared_ptr<Listener> ListenerPool::acquire(const std::string& spec, int backlog, unsigned umask) {
    if (auto it = by_spec_.find(spec); it != by_spec_.end()) return it->second;
    auto listener = adopt(spec);
    if (!listener) listener = std::make_shared<Listener>(spec, backlog, umask);
    by_spec_[spec] = listener;
    return listener;
}

std::shared_ptr<Listener> ListenerPool::adopt(const std::string& spec) {
    BindAddress wanted = parse_bind(spec);
    for (auto it = unclaimed_.begin(); it != unclaimed_.end(); ++it) {
        if (!bind_matches(wanted, it->spec)) continue;
        auto listener = std::make_shared<Listener>(spec, it->fd);
        spdlog::debug("Using inherited socket {} (fd {}) for {}", it->spec, it->fd, spec);
        unclaimed_.erase(it);
        return listener;
    }
    return nullptr;
}

void ListenerPool::prune(bool remove_files) {
    for (auto it = by_spec_.begin(); it != by_spec_.end();) {
        if (it->second.use_count() > 1) {
            ++it;
            continue;
        }
        spdlog::info("Closing listener {}", it->second->url());
        if (remove_files) it->second->remove_socket_file();
        it = by_spec_.erase(it);
    }
}

// The old arbiter of an upgrade stays our parent while it runs.
bool ListenerPool::shared() const {
    return !systemd_specs_.empty() || (upgraded_from_ != 0 && ::getppid() == upgraded_from_);
}

void ListenerPool::stop_listening() const {
    for (const auto& [spec, l] : by_spec_) ::shutdown(l->fd(), SHUT_RD);
}

std::vector<int> ListenerPool::fds() const {
    std::vector<int> out;
    for (const auto& [spec, l] : by_spec_) out.push_back(l->fd());
    return out;
}

} // namespace hornet
