// Telling an ASGI callable from a WSGI one in a child python; see
// python_interface.hpp.
#include "config/python_interface.hpp"

#include <filesystem>
#include <unistd.h>

#include "hornet/support/python_child.hpp"

#ifndef HORNET_PYTHON
#define HORNET_PYTHON "/usr/bin/python3"
#endif

namespace hornet {
namespace {

// argv: SPEC, the working directory, then the pythonpath entries. Writes
// "asgi", "wsgi" or "unknown" on fd 3; the app's own output goes to stderr.
constexpr const char* kProbe = R"PY(
import asyncio, importlib, inspect, os, sys
out, sys.stdout = os.fdopen(3, "w"), sys.stderr
spec, cwd, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
if sys.path and sys.path[0] == "":
    del sys.path[0]
for i, d in enumerate(dirs + [cwd]):
    if d not in sys.path:
        sys.path.insert(i, d)
def answer():
    module, _, name = spec.partition(":")
    obj = importlib.import_module(module)
    name = name or "application"
    factory = "(" in name
    for part in name.split("(")[0].split("."):
        obj = getattr(obj, part)
    if factory:
        obj = obj()
    if inspect.isclass(obj):
        return hasattr(obj, "__await__")
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        return asyncio.iscoroutinefunction(obj)
    return asyncio.iscoroutinefunction(getattr(obj, "__call__", None))
try:
    out.write("asgi" if answer() else "wsgi")
except BaseException:
    out.write("unknown")
out.flush()
os._exit(0)
)PY";

constexpr int kProbeTimeoutMs = 30000;

} // namespace

bool is_asgi_callable(const std::string& spec, const std::vector<std::string>& pythonpath,
                      const std::string& virtualenv) {
    std::string python = HORNET_PYTHON;
    if (!virtualenv.empty() && ::access((virtualenv + "/bin/python3").c_str(), X_OK) == 0)
        python = virtualenv + "/bin/python3";
    std::vector<std::string> args{spec, std::filesystem::current_path().string()};
    args.insert(args.end(), pythonpath.begin(), pythonpath.end());
    const auto run = support::run_python(python, kProbe, args, kProbeTimeoutMs);
    return run.ran && !run.timed_out && run.output.rfind("asgi", 0) == 0;
}

} // namespace hornet
