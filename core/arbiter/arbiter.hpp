// The arbiter: the master process. It owns the configuration, the listening
// sockets, the loaded plugins and the scoreboard; forks workers and keeps
// their number right; turns signals into actions. It never touches a client
// connection. One per hornet process tree; runs on the main thread.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "arbiter/supervisor.hpp"
#include "config/config.hpp"
#include "host/host_services.hpp"
#include "listen/listener.hpp"
#include "log/access_log.hpp"
#include "plugin/plugin_set.hpp"
#include "scoreboard/scoreboard.hpp"

namespace hornet {

class Arbiter {
public:
    Arbiter(Config config, PluginSet plugins);
    ~Arbiter();

    // Binds, forks, supervises until told to stop; returns the exit code.
    int run();

private:
    struct SignalAction;
    static const SignalAction signal_actions[];

    void start();
    void wait_for_signal();
    void on_signal(int sig);
    void on_child_exit();
    void log_exit(const WorkerExit& exit) const;
    void note_boot(const WorkerExit& exit);
    void manage_workers();
    void spawn_worker();
    void stop(bool graceful);
    void halt(const std::string& reason, int code);
    void finish_if_stopped();
    void child_main(ScoreboardSlot& slot, int worker_id, std::uint32_t generation);

    void handle_term();
    void handle_int();
    void handle_quit();
    void handle_hup();
    void handle_chld();

    Config config_;
    PluginSet plugins_;
    std::vector<Listener> listeners_;
    std::vector<int> listen_fds_;
    std::unique_ptr<AccessLog> access_log_;
    std::unique_ptr<HostServices> host_;
    Scoreboard scoreboard_;
    Supervisor supervisor_;
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer kill_timer_;
    pid_t pid_;
    std::uint32_t generation_ = 1;
    bool stopping_ = false;
    int exit_code_ = 0;
    int boot_failures_ = 0; // workers in a row that died before becoming ready
};

} // namespace hornet
