// -D/--daemon: detach from the terminal the classic way (fork, setsid, fork),
// with stdin/stdout/stderr on /dev/null. Called by main after the config and
// plugins were checked (so their errors still reach the terminal) and before
// the arbiter binds or forks anything.
#pragma once

namespace hornet {

void daemonize();

} // namespace hornet
