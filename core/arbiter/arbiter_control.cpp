// The control socket's built-in commands (docs/control.md). Each runs the
// very function its signal runs (reload: HUP, incr/decr: TTIN/TTOU,
// reopen-logs: USR1, stop: INT/QUIT, stop --graceful: TERM), so a command
// and its signal are one transaction; the session then reconciles, as the
// loop does after a signal.
//
// Adding a command: a handler here (or anywhere that sees the arbiter),
// and one add() row in add_commands(). A handler answers through its
// Responder, now or later.
#include "arbiter/arbiter.hpp"

#include <spdlog/spdlog.h>

#include "arbiter/control_reports.hpp"
#include "config/units.hpp"
#include "config/yaml_printer.hpp"

namespace hornet {

namespace json = boost::json;

namespace {

json::value text_or_null(const std::string& text) { return text.empty() ? json::value(nullptr) : json::value(text); }

} // namespace

void Arbiter::open_control(const Config& config) {
    add_commands(control_.commands());
    control_.after_each_command([this] {
        if (!io_.stopped()) reconcile();
    });
    control_.open(control_socket_place(config, RuntimeFacts::of_this_process()));
}

void Arbiter::add_commands(CommandRegistry& c) {
    auto plain = [this](void (Arbiter::*fn)(const Responder&)) {
        return [this, fn](const ControlRequest&, const Responder& r) { (this->*fn)(r); };
    };
    auto with_args = [this](void (Arbiter::*fn)(const ControlRequest&, const Responder&)) {
        return [this, fn](const ControlRequest& q, const Responder& r) { (this->*fn)(q, r); };
    };
    c.add({"status", "status", "the arbiter, its generations and every worker", 0, 0, true,
           plain(&Arbiter::command_status)});
    c.add({"workers", "workers", "every worker: pid, state, requests, memory", 0, 0, true,
           plain(&Arbiter::command_workers)});
    c.add({"reload", "reload", "HUP: reload the config; answers once the new workers serve, or why not", 0, 0, false,
           plain(&Arbiter::command_reload)});
    c.add({"scale", "scale N", "set the number of workers", 1, 1, false, with_args(&Arbiter::command_scale)});
    c.add({"incr", "incr", "TTIN: one worker more", 0, 0, false, plain(&Arbiter::command_incr)});
    c.add({"decr", "decr", "TTOU: one worker fewer (never below one)", 0, 0, false, plain(&Arbiter::command_decr)});
    c.add({"reopen-logs", "reopen-logs", "USR1: reopen the log files", 0, 0, false,
           plain(&Arbiter::command_reopen_logs)});
    c.add({"stop", "stop [--graceful]", "INT: stop now; --graceful: TERM, finish what is in flight", 0, 1, false,
           with_args(&Arbiter::command_stop)});
    c.add({"config", "config", "the effective configuration of the serving generation", 0, 0, true,
           plain(&Arbiter::command_config)});
    c.add({"plugins", "plugins", "the plugins each generation loaded", 0, 0, true, plain(&Arbiter::command_plugins)});
    c.add({"help", "help", "these commands", 0, 0, true, plain(&Arbiter::command_help)});
}

void Arbiter::command_status(const Responder& reply) {
    const std::int64_t now = system_.now_ms();
    const Generation& gen = active();
    json::array listeners;
    for (const auto& l : gen.listeners) listeners.push_back(json::value(l->url()));
    auto incoming = reconciler_.incoming();
    reply.reply({
        {"pid", pid_},
        {"version", HORNET_VERSION},
        {"uptime_ms", now - started_ms_},
        {"config_file", text_or_null(start_.sources.config_path)},
        {"generation", gen.id},
        {"serving", gen.describe()},
        {"reloading", incoming ? json::value(*incoming) : json::value(nullptr)},
        {"stopping", reconciler_.stopping()},
        {"ready", reconciler_.serving_ready()},
        {"workers_target", reconciler_.plan(gen.id).workers},
        {"listeners", std::move(listeners)},
        {"control_socket", control_.path()},
        {"restarts", restart_counts(reconciler_.restarts())},
        {"workers", worker_rows(supervisor_, system_, now)},
    });
}

void Arbiter::command_workers(const Responder& reply) {
    reply.reply({{"workers", worker_rows(supervisor_, system_, system_.now_ms())}});
}

void Arbiter::command_reload(const Responder& reply) {
    request_reload([this, reply](const ReloadOutcome& outcome) {
        if (!outcome.error.empty()) return reply.fail("reload_failed", outcome.error);
        reply.reply({{"generation", outcome.generation}, {"serving", reconciler_.plan(outcome.generation).name}});
    });
}

// The answer of scale, incr and decr: the count now, or why it did not move.
void Arbiter::reply_workers(const Responder& reply, const std::string& refusal) {
    if (!refusal.empty()) return reply.fail("refused", refusal);
    reply.reply({{"workers", reconciler_.plan(reconciler_.active()).workers}});
}

void Arbiter::command_scale(const ControlRequest& request, const Responder& reply) {
    unsigned workers = 0;
    try {
        workers = static_cast<unsigned>(parse_uint(request.args[0], 1, reconciler_.max_workers()));
    } catch (const std::exception&) {
        return reply.fail("bad_arguments", "scale: expected a number of workers from 1 to " +
                                               std::to_string(reconciler_.max_workers()) + ", got '" + request.args[0] +
                                               "'");
    }
    reply_workers(reply, reconciler_.scale_to(workers));
}

void Arbiter::command_incr(const Responder& reply) { reply_workers(reply, reconciler_.add_worker()); }
void Arbiter::command_decr(const Responder& reply) { reply_workers(reply, reconciler_.remove_worker()); }

void Arbiter::command_reopen_logs(const Responder& reply) {
    handle_usr1();
    reply.reply({{"reopened", true}});
}

// Answered at once: the arbiter stops on its loop after this, and leaves.
void Arbiter::command_stop(const ControlRequest& request, const Responder& reply) {
    const bool graceful = !request.args.empty();
    if (graceful && request.args[0] != "--graceful")
        return reply.fail("bad_arguments", "usage: stop [--graceful]; got '" + request.args[0] + "'");
    graceful ? handle_term() : handle_int();
    reply.reply({{"stopping", true}, {"graceful", graceful}});
}

void Arbiter::command_config(const Responder& reply) {
    const Generation& gen = active();
    reply.reply({{"generation", gen.id},
                 {"config_file", text_or_null(start_.sources.config_path)},
                 {"settings", settings_report(gen.config)},
                 {"yaml", to_yaml(gen.config)}});
}

void Arbiter::command_plugins(const Responder& reply) {
    json::array generations;
    for (const auto& [id, gen] : generations_) {
        generations.push_back(json::object{{"generation", id},
                                           {"serving", id == reconciler_.active()},
                                           {"worker", plugin_report("worker", gen->plugins.worker)},
                                           {"app", plugin_report("app", gen->plugins.app)}});
    }
    reply.reply({{"generations", std::move(generations)}});
}

void Arbiter::command_help(const Responder& reply) {
    json::array commands;
    for (const ControlCommand& c : control_.commands().all())
        commands.push_back(json::object{{"name", c.name}, {"usage", c.usage}, {"summary", c.summary}});
    reply.reply({{"commands", std::move(commands)}});
}

} // namespace hornet
