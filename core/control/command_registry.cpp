// The command table and the Responder; see command_registry.hpp.
#include "control/command_registry.hpp"

#include <stdexcept>

#include "control/control_session.hpp"

namespace hornet {

namespace json = boost::json;

struct Responder::State {
    std::shared_ptr<ControlSession> session;
    json::value id;
    bool answered = false;

    State(std::shared_ptr<ControlSession> s, json::value i) : session(std::move(s)), id(std::move(i)) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    void send(json::object envelope) {
        if (answered) return;
        answered = true;
        json::object line;
        line["id"] = id;
        for (auto& [key, value] : envelope) line[key] = std::move(value);
        session->send_reply(line);
    }

    // A handler that dropped its Responder without a word must not leave
    // the client waiting.
    ~State() {
        if (answered) return;
        try {
            send(
                {{"ok", false}, {"error", {{"code", "internal"}, {"message", "the command ended without an answer"}}}});
        } catch (...) {}
    }
};

Responder::Responder(std::shared_ptr<ControlSession> session, json::value id)
    : state_(std::make_shared<State>(std::move(session), std::move(id))) {}

void Responder::reply(json::object result) const { state_->send({{"ok", true}, {"result", std::move(result)}}); }

void Responder::fail(std::string_view code, std::string_view message) const {
    state_->send({{"ok", false}, {"error", {{"code", code}, {"message", message}}}});
}

void CommandRegistry::add(ControlCommand command) {
    if (find(command.name)) throw std::logic_error("control command '" + command.name + "' is added twice");
    commands_.push_back(std::move(command));
}

const ControlCommand* CommandRegistry::find(std::string_view name) const {
    for (const ControlCommand& c : commands_)
        if (c.name == name) return &c;
    return nullptr;
}

} // namespace hornet
