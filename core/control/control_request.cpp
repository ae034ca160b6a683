// Request lines; see control_request.hpp.
#include "control/control_request.hpp"

#include "control/json_line.hpp"

namespace hornet {
namespace {

namespace json = boost::json;

RequestError bad(json::value id, std::string message) { return {std::move(id), "bad_request", std::move(message)}; }

// An argument as the command line would have typed it.
bool arg_text(const json::value& v, std::string& out) {
    if (v.is_string()) out = std::string(v.get_string());
    else if (v.is_int64()) out = std::to_string(v.get_int64());
    else if (v.is_uint64()) out = std::to_string(v.get_uint64());
    else return false;
    return true;
}

std::variant<ControlRequest, RequestError> from_object(const json::object& o) {
    ControlRequest request;
    if (const json::value* id = o.if_contains("id")) request.id = *id;
    for (const auto& [key, value] : o)
        if (key != "id" && key != "command" && key != "args")
            return bad(request.id, "unknown key '" + std::string(key) + "'; a request has id, command and args");
    const json::value* command = o.if_contains("command");
    if (!command || !command->is_string() || command->get_string().empty())
        return bad(request.id, "the request has no \"command\" string");
    request.command = std::string(command->get_string());
    const json::value* args = o.if_contains("args");
    if (!args || args->is_null()) return request;
    if (!args->is_array()) return bad(request.id, "\"args\" must be an array of strings");
    for (const json::value& a : args->get_array()) {
        std::string text;
        if (!arg_text(a, text)) return bad(request.id, "\"args\" must be an array of strings");
        request.args.push_back(std::move(text));
    }
    return request;
}

} // namespace

std::variant<ControlRequest, RequestError> parse_request(std::string_view line) {
    std::string why;
    auto value = parse_json_line(line, why);
    if (!value) return bad(nullptr, "not JSON (" + why + "); send one JSON object a line");
    if (!value->is_object()) return bad(nullptr, "not a JSON object; send one JSON object a line");
    return from_object(value->get_object());
}

} // namespace hornet
