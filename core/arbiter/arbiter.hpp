// The arbiter: the master process. It owns the configuration, the listening
// sockets, the loaded plugins and the scoreboard; forks workers and keeps
// their number right; turns signals into actions. It never touches a client
// connection. One per hornet process tree; runs on the main thread, driven by
// one Boost.Asio loop: signals, the scoreboard's wake pipe and a tick.
//
// Workers belong to a Generation (a config and its plugins). A reload builds
// a new generation beside the serving one, waits until every new worker is
// ready, and only then retires the old one; if anything fails on the way the
// old generation keeps serving untouched. The methods are spread over
// arbiter.cpp (loop, signals, stop), arbiter_workers.cpp (spawn, reap,
// heartbeat timeouts, recycling), arbiter_reload.cpp and arbiter_upgrade.cpp.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "arbiter/generation.hpp"
#include "arbiter/supervisor.hpp"
#include "arbiter/system.hpp"
#include "config/config_loader.hpp"
#include "listen/listener_pool.hpp"
#include "scoreboard/scoreboard.hpp"

namespace hornet {

// What the arbiter needs to re-read its config (HUP) and re-exec itself (USR2).
struct StartContext {
    ConfigSources sources;
    std::string executable;        // the binary's path, resolved at start
    std::vector<std::string> argv; // as given
};

class Arbiter {
public:
    Arbiter(StartContext start, Config config, PluginSet plugins);
    ~Arbiter();

    // Binds, forks, supervises until told to stop; returns the exit code.
    int run();

private:
    struct SignalAction;
    static const SignalAction signal_actions[];

    // arbiter.cpp
    void start(Config config, PluginSet plugins);
    void wait_for_signal();
    void on_signal(int sig);
    void wait_for_wake();
    void schedule_tick();
    void on_tick();
    void stop(bool graceful);
    void halt(const std::string& reason, int code);
    void finish_if_stopped();
    void set_title() const;
    Generation& active() { return *generations_.at(active_); }

    void handle_term();
    void handle_int();
    void handle_quit();
    void handle_hup();
    void handle_chld();
    void handle_ttin();
    void handle_ttou();
    void handle_usr1();
    void handle_usr2();
    void handle_winch();

    // arbiter_workers.cpp
    void on_child_exit();
    void log_exit(const WorkerExit& exit) const;
    void note_boot(const WorkerExit& exit);
    std::size_t ready_workers(std::uint32_t generation);
    void announce_ready_workers();
    void on_other_child(pid_t pid, int status);
    void manage_workers();
    pid_t spawn_worker(Generation& generation);
    void child_main(Generation& generation, ScoreboardSlot& slot, int worker_id);
    void murder_stale_workers();
    void start_recycling();
    void advance_recycling();
    void drop_finished_generations();

    // arbiter_reload.cpp
    void begin_reload();
    void advance_reload();
    void promote_incoming();
    void abort_reload(const std::string& why);

    // arbiter_upgrade.cpp
    void upgrade();
    void on_upgrade_exit(int status);

    StartContext start_;
    ListenerPool pool_;
    std::map<std::uint32_t, std::unique_ptr<Generation>> generations_;
    std::uint32_t active_ = 0;                  // the generation serving now
    std::optional<std::uint32_t> incoming_;     // a reload's new generation, booting
    std::int64_t reload_deadline_ms_ = 0;
    bool reload_again_ = false;                 // a HUP came in during a reload
    std::optional<pid_t> recycling_;            // at its max_requests, awaiting its replacement
    pid_t replacement_ = 0;
    Scoreboard scoreboard_;
    PosixSystem system_;
    Supervisor supervisor_;
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer kill_timer_;
    boost::asio::steady_timer tick_timer_;
    boost::asio::posix::stream_descriptor wake_;
    pid_t pid_;
    pid_t upgrade_child_ = 0;                   // the new arbiter of a USR2
    bool stopping_ = false;
    int exit_code_ = 0;
    int boot_failures_ = 0; // workers in a row that died before becoming ready
    std::int64_t respawn_at_ms_ = 0;      // no forks before this (a worker cannot boot)
    std::int64_t respawn_backoff_ms_ = 0; // the pause after the last such failure
};

} // namespace hornet
