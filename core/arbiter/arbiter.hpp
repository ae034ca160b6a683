// The arbiter: the master process. It owns the configuration, the listening
// sockets, the loaded plugins and the scoreboard; forks workers and keeps
// their number right; turns signals into actions. It never touches a client
// connection. One per hornet process tree; runs on the main thread, driven by
// one Boost.Asio loop: signals, the scoreboard's wake pipe, a tick and the
// kill timer of a stop.
//
// Every event does its immediate action (stop, scale, build a reload's
// generation, fork a new arbiter) and then runs the one Reconciler::reconcile(),
// which makes every decision about workers in a fixed order (reconciler.hpp).
// The Arbiter is the Reconciler's shell: it owns what the decisions must not
// (generations with their plugins and listeners, the loop, the process title,
// the pid file), so the decisions can be tested without fork.
//
// Workers belong to a Generation (a config and its plugins). A reload builds
// a new generation beside the serving one, waits until every new worker is
// ready, and only then retires the old one; if anything fails on the way the
// old generation keeps serving untouched.
//
// arbiter.cpp          the loop, the signal table, start, scaling and stop,
//                      the shell's side of the Reconciler
// arbiter_reload.cpp   HUP: read the config, build the new generation
// arbiter_upgrade.cpp  USR2: fork and exec a new arbiter on our sockets
// arbiter_metrics.cpp  what /metrics and statsd see (core/metrics serves it)
// arbiter_hooks.cpp    when Gunicorn's arbiter hooks run (server_hooks.hpp)
// arbiter_control.cpp  the control socket's commands (hornet ctl), each the
//                      same transaction as its signal
// arbiter_dump.cpp     stack dumps: asked for, read, logged, answered
// reconciler*.cpp      the decisions (see reconciler.hpp)
// supervisor.cpp       the set of live workers; system.cpp its system calls
// generation.cpp       one config and everything its workers need
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "arbiter/dump_inbox.hpp"
#include "arbiter/generation.hpp"
#include "arbiter/reconciler.hpp"
#include "arbiter/server_hooks.hpp"
#include "arbiter/supervisor.hpp"
#include "arbiter/system.hpp"
#include "config/config_loader.hpp"
#include "control/control_server.hpp"
#include "listen/listener_pool.hpp"
#include "metrics/metric_totals.hpp"
#include "metrics/metrics_service.hpp"
#include "metrics/server_view.hpp"
#include "scoreboard/scoreboard.hpp"

namespace hornet {

// What the arbiter needs to re-read its config (HUP) and re-exec itself (USR2).
struct StartContext {
    ConfigSources sources;
    std::string executable;        // the binary's path, resolved at start
    std::vector<std::string> argv; // as given
};

class Arbiter final : private ArbiterShell {
public:
    Arbiter(StartContext start, Config config, PluginSet plugins);
    ~Arbiter() override;

    // Binds, forks, supervises until told to stop; returns the exit code.
    int run();

    // A stack dump of worker `pid`, without killing it (`hornet ctl dump`,
    // URG to the arbiter). The dump is logged as every dump is, and `done`
    // (may be empty) gets it, or why there is none: no such worker, it
    // exited, or nothing came within dump_timeout (2 s when that is 0).
    // Arbiter thread; done runs later on the loop, never inside this call.
    struct DumpAnswer {
        pid_t pid = 0;
        bool ok = false;
        std::string text;  // the dump, as the worker wrote it
        std::string error; // one line, when !ok
    };
    using DumpCallback = std::function<void(const DumpAnswer&)>;
    void request_dump(pid_t pid, DumpCallback done);
    // The workers' pids, every generation's, in order.
    std::vector<pid_t> worker_pids() const;

private:
    struct SignalAction;
    static const SignalAction signal_actions[];

    // Someone waits for a worker's dump (request_dump).
    struct DumpWaiter {
        std::int64_t deadline_ms;
        std::int64_t waited_ms; // for the error line
        DumpCallback done;
    };

    // A USR2's new arbiter, while it runs.
    struct Upgrade {
        pid_t child = 0;
    };
    struct Shutdown {
        bool pending = false; // TERM came; shutdown_delay runs
    };
    // Who waits for a reload's outcome (`hornet ctl reload`): the running
    // reload's askers, and those who asked during it, whom the next one answers.
    using ReloadReply = std::function<void(const ReloadOutcome&)>;
    struct ReloadWaiters {
        std::vector<ReloadReply> running;
        std::vector<ReloadReply> queued;
    };

    // arbiter.cpp
    void start(Config config, PluginSet plugins);
    // Sockets systemd passed (LISTEN_FDS) replace `bind`: at start and at
    // every reload, so that HUP keeps serving from hornet.socket.
    bool use_systemd_sockets(Config& config) const;
    void wait_for_signal();
    void on_signal(int sig);
    void wait_for_wake();
    void schedule_tick();
    void set_title() const;
    Generation& active() { return *generations_.at(reconciler_.active()); }

    void reconcile();
    void stop(bool graceful);
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
    void handle_urg();

    // arbiter.cpp: ArbiterShell, what the Reconciler asks for
    void run_worker(std::uint32_t generation, ScoreboardSlot& slot, int worker_id) override;
    void on_other_child(pid_t pid, int status) override;
    void on_promoted() override;
    void on_reload_finished(const ReloadOutcome& outcome) override;
    void reload() override;
    void drop_generation(std::uint32_t generation) override;
    void wake_at(std::int64_t ms) override;
    void on_stopped() override;

    // arbiter_dump.cpp
    void on_dump(ReceivedDump dump);
    void expire_dump_waiters();
    void answer_waiters(pid_t pid, const DumpAnswer& answer);
    std::int64_t dump_wait_ms(pid_t pid) const;

    // arbiter_reload.cpp
    void request_reload(ReloadReply reply); // HUP and `ctl reload`
    void start_reload();
    void begin_reload();
    void abandon_reloads(const std::string& why);

    // arbiter_control.cpp
    void open_control(const Config& config);
    void add_commands(CommandRegistry& commands);
    void command_status(const Responder& reply);
    void command_workers(const Responder& reply);
    void command_reload(const Responder& reply);
    void command_scale(const ControlRequest& request, const Responder& reply);
    void command_incr(const Responder& reply);
    void command_decr(const Responder& reply);
    void command_reopen_logs(const Responder& reply);
    void command_stop(const ControlRequest& request, const Responder& reply);
    void command_config(const Responder& reply);
    void command_plugins(const Responder& reply);
    void command_help(const Responder& reply);
    void command_dump(const ControlRequest& request, const Responder& reply); // arbiter_dump.cpp
    void reply_workers(const Responder& reply, const std::string& refusal);

    // arbiter_upgrade.cpp
    void upgrade();
    void on_upgrade_exit(int status);

    // arbiter_metrics.cpp
    void start_metrics();
    void name_generation(const Generation& gen);
    metrics::ServerView gather_metrics();
    // arbiter_hooks.cpp: Gunicorn's on_starting, when_ready, on_reload, on_exit
    void start_hooks(const Config& config);
    void reload_hooks(const Config& config);
    ServerHooks::Outcome run_hook(std::string_view hook, const Config& config,
                                  const std::vector<std::shared_ptr<Listener>>& listeners, bool quiet = false);

    StartContext start_;
    ListenerPool pool_;
    std::map<std::uint32_t, std::unique_ptr<Generation>> generations_;
    Scoreboard scoreboard_;
    PosixSystem system_;
    Supervisor supervisor_;
    Reconciler reconciler_;
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer kill_timer_;
    boost::asio::steady_timer tick_timer_;
    boost::asio::steady_timer shutdown_timer_; // shutdown_delay
    boost::asio::posix::stream_descriptor wake_;
    ControlServer control_; // after io_: it lives on the loop
    DumpInbox dumps_;
    std::map<pid_t, std::vector<DumpWaiter>> dump_waiters_;
    pid_t pid_;
    std::int64_t started_ms_; // System::now_ms at start, for the uptime
    Upgrade upgrade_;
    Shutdown shutdown_;
    metrics::MetricsArchive metric_archive_; // what exited workers counted
    double start_unix_s_ = 0;
    std::unique_ptr<metrics::MetricsService> metrics_; // after io_: it serves on it
    ReloadWaiters reload_waiters_;
    std::unique_ptr<ServerHooks> hooks_; // a gunicorn.conf.py's arbiter hooks, or none
};

} // namespace hornet
