// The client's side of the control socket, for `hornet ctl`: connect, send
// one request line, read its reply line. Plain blocking POSIX calls; the
// peer is checked the other way round too (SO_PEERCRED): hornet ctl talks
// only to a server run by its own user or by root, so another user's
// socket at a guessable path (/tmp) cannot answer in hornet's name.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace hornet {

class ControlClientError : public std::runtime_error {
public:
    enum class Kind { not_running, failed };
    ControlClientError(Kind kind, const std::string& line) : std::runtime_error(line), kind(kind) {}
    Kind kind;
};

struct ControlReply {
    std::string line;           // as received, without the newline
    boost::json::object object; // the parsed envelope: id, ok, result or error
};

// Throws ControlClientError with one line: not_running when nothing listens
// at `path` ("no hornet listening on PATH: connection refused"), failed for
// anything else (refused, closed without an answer, not JSON).
ControlReply call_control(const std::string& path, const std::string& command, const std::vector<std::string>& args);

} // namespace hornet
