// apps/wsgi/wsgi_error.hpp: the one exception type of the bridge.
//
// Thrown only while a whole operation is abandoned (create(): config,
// interpreter start, app import); its message is the one line create()
// hands back to the host. Never thrown across the C ABI: wsgi_entry.cpp
// catches it.
#pragma once

#include <stdexcept>
#include <string>

namespace hornet::wsgi {

class WsgiError : public std::runtime_error {
public:
    explicit WsgiError(const std::string& line) : std::runtime_error(line) {}
};

} // namespace hornet::wsgi
