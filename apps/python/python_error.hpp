// apps/python/python_error.hpp: the one exception type of the Python
// bridges (wsgi, asgi), and the label their log lines start with.
//
// Thrown only while a whole operation is abandoned (create(): config,
// interpreter start, app import); its message is the one line create()
// hands back to the host. Never thrown across the C ABI: each app's entry
// file catches it.
#pragma once

#include <stdexcept>
#include <string>

namespace hornet::python {

class PythonError : public std::runtime_error {
public:
    explicit PythonError(const std::string& line) : std::runtime_error(line) {}
};

// "wsgi" or "asgi": which bridge this process runs (one app per process),
// set by the app as it starts; log lines of the shared code begin with it.
void set_app_label(const char* label);
const std::string& app_label();

} // namespace hornet::python
