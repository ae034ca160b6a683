// apps/wsgi/python_shared.hpp: the wsgi app's names for the shared Python
// bridge code in apps/python (interpreter, GIL, references, errors), so
// the wsgi files read as before the code moved there.
#pragma once

#include "python_error.hpp"

namespace hornet::python {
class PyRef;
}

namespace hornet::wsgi {

using namespace hornet::python; // NOLINT: one bridge's view of the shared code
using WsgiError = python::PythonError;

} // namespace hornet::wsgi
