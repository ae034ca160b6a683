// apps/python/module_check.hpp: is app_config.module there, before any fork?
//
// The wsgi app's check_config (in the arbiter, before any worker is forked,
// at start, for --check-config and for every reload) asks whether the
// workers will find the module and its callable, without importing the app
// (Gunicorn imports only in its workers, and importing runs the app's side
// effects). Debian's python3 (or the virtualenv's), with the sys.path the
// worker's interpreter will have (pythonpath, then the working directory),
// runs a short script in a child process (hornet/support/python_child.hpp):
//   - the module's file is found the way the import system finds it, by
//     asking each finder of sys.meta_path, without running a parent
//     package's __init__; only when a package's files alone do not show a
//     submodule (an __init__ that extends its __path__) are the parent
//     packages imported to be sure;
//   - the source is compiled (not run): a SyntaxError is FILE:LINE;
//   - the callable's first name must be bound at the module's top level (a
//     def, class, assignment or import, in any if/try/with/for there).
// When a module does what a static look cannot follow (from x import *, a
// module __getattr__, writes through globals(), setattr or exec, global in
// a function) or is no Python source (an extension, a .pyc, a namespace
// package), nothing is refused: the workers find out, as before.
#pragma once

#include "python_config.hpp"

namespace hornet::python {

// Throws PythonError with one line when the module or its callable cannot be
// there. Returns quietly when they are, or when it cannot tell (logged at
// debug through host).
void check_module(const hornet_host_t* host, const PythonConfig& config);

} // namespace hornet::python
