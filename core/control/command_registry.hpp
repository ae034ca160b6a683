// The control socket's commands: a name, what `hornet ctl help` says of it,
// how many arguments it takes, and the function that runs it.
//
// Anything in the arbiter may add a command: one handler function and one
// add() line (core/arbiter/arbiter_control.cpp registers the built-in ones;
// docs/control.md shows how). A handler gets the request and a Responder and
// answers through the Responder, at once or later (a reload answers once its
// new generation is ready or has failed), exactly once. Arbiter thread only:
// handlers run on the arbiter's loop, and so must every answer.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace hornet {

class ControlSession;

// One request line, parsed: {"id": ..., "command": "scale", "args": ["3"]}.
struct ControlRequest {
    std::string command;
    std::vector<std::string> args; // as typed after the command: ["3"], ["--graceful"]
    boost::json::value id;         // echoed in the reply; null when the request had none
    uid_t peer_uid = 0;            // who asked (SO_PEERCRED), for the log
    pid_t peer_pid = 0;
};

// The way back to the client that sent one request. Copies share one
// answer: the first reply() or fail() is sent, later ones are ignored. If
// the last copy goes away unanswered, the client gets an "internal" error
// rather than waiting for ever. A client gone meanwhile makes it a no-op.
class Responder {
public:
    Responder(std::shared_ptr<ControlSession> session, boost::json::value id);

    // {"id": ..., "ok": true, "result": result}
    void reply(boost::json::object result) const;
    // {"id": ..., "ok": false, "error": {"code": code, "message": message}};
    // message is one line, as the log would say it.
    void fail(std::string_view code, std::string_view message) const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

using CommandHandler = std::function<void(const ControlRequest& request, const Responder& reply)>;

struct ControlCommand {
    std::string name;    // "scale"
    std::string usage;   // "scale N", shown in help and in a usage error
    std::string summary; // one line for `hornet ctl help`
    std::size_t min_args = 0;
    std::size_t max_args = 0;
    bool read_only = false; // only looks (status): logged at debug, not info
    CommandHandler handler;
};

class CommandRegistry {
public:
    // Throws std::logic_error for a name already taken.
    void add(ControlCommand command);
    const ControlCommand* find(std::string_view name) const;
    const std::vector<ControlCommand>& all() const { return commands_; }

private:
    std::vector<ControlCommand> commands_; // in the order added: help lists them so
};

} // namespace hornet
