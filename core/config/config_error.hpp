// The two error types of the config component.
//
// ValueError is thrown by the value parsers (units, bind addresses, setting
// codecs) with a bare message ("expected an integer from 1 to 1024, got
// 'many'"); the layer that read the value (YAML file, environment, command
// line) catches it and rethrows a ConfigError whose message is ONE line that
// also says where. Only ConfigError leaves core/config and core/cli.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include <yaml-cpp/mark.h>

namespace hornet {

// A user's configuration is wrong; what() is one line naming where and what.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A single value is wrong; the message does not say where it came from.
// `mark` points at a list element when the culprit is one entry of a YAML list.
class ValueError : public std::runtime_error {
public:
    explicit ValueError(const std::string& what, std::optional<YAML::Mark> at = std::nullopt)
        : std::runtime_error(what), mark(at) {}
    std::optional<YAML::Mark> mark;
};

} // namespace hornet
