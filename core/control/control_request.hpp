// One request line of the control protocol, checked:
//   {"id": 7, "command": "scale", "args": ["3"]}
// "command" is required; "args" (strings, or numbers taken as their text)
// and "id" (any JSON value, echoed in the reply) are optional; any other
// key is refused, so a typo is an error rather than silently ignored.
// Pure: no I/O, any thread.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "control/command_registry.hpp"

namespace hornet {

// Why a line is not a request: the code and message of the error reply.
struct RequestError {
    boost::json::value id; // the request's id when it could be read, else null
    std::string code;      // "bad_request"
    std::string message;
};

std::variant<ControlRequest, RequestError> parse_request(std::string_view line);

} // namespace hornet
