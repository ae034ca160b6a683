// Every listening socket the arbiter holds, shared by the generations that
// use it. A reload keeps the sockets whose `bind` entry stays (so no
// connection is refused), binds the new ones, and closes the removed ones
// once no generation uses them. Sockets inherited at start (binary upgrade,
// systemd) are adopted by the first entry that matches. Arbiter only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>
#include <sys/types.h>

#include "listen/inherited_sockets.hpp"
#include "listen/listener.hpp"

namespace hornet {

class ListenerPool {
public:
    explicit ListenerPool(InheritedSockets inherited);
    ~ListenerPool();

    // The entries systemd handed us, to use instead of the config's bind.
    std::vector<std::string> systemd_specs() const;

    // The listener for this entry: kept, adopted or newly bound. Throws
    // std::runtime_error naming the address.
    std::shared_ptr<Listener> acquire(const std::string& spec, int backlog, unsigned umask);

    // Closes listeners no generation holds any more, removing their unix
    // socket files when remove_files (not on a binary upgrade: the new
    // arbiter serves on them).
    void prune(bool remove_files);
    // Every listener's fd, for handing over to a new arbiter.
    std::vector<int> fds() const;
    // A stop: every listener stops listening now, in every process that
    // holds it (shutdown, not close): a new connection is refused at once
    // instead of waiting in a backlog that nobody will accept from.
    void stop_listening() const;
    // Does another process listen on these too (systemd, which keeps them
    // for the next start; the old arbiter of a binary upgrade, still up)?
    bool shared() const;

private:
    std::shared_ptr<Listener> adopt(const std::string& spec);

    std::map<std::string, std::shared_ptr<Listener>> by_spec_;
    std::vector<InheritedSocket> unclaimed_;
    std::vector<std::string> systemd_specs_;
    pid_t upgraded_from_; // the old arbiter that handed its sockets over, or 0
};

} // namespace hornet
