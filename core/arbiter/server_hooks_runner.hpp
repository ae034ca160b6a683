// The hook runner's Python: the script Debian's python3 runs as the
// arbiter's child to call a gunicorn.conf.py's arbiter hooks. Its protocol
// is server_hooks.cpp's: one JSON object a line on fd 3 (a socket), each
// request {"id", "op": "load"|"call", ...} answered by any number of
// {"id", "log": LEVELNO, "msg"} lines, then {"id", "done": true|false, ...}.
#pragma once

namespace hornet {

const char* server_hooks_runner_script();

} // namespace hornet
