// `hornet ctl [OPTIONS] COMMAND [ARGS...]`: one command to a running hornet
// through its control socket (docs/control.md), answered in a table for a
// person or, with --json, the reply line itself for a script.
//
// The socket is --socket PATH, or where the server put it: computed from
// the same -c file, HORNET_* environment, --pid, --name, --control-socket
// and --chdir the server was started with (control/control_path.hpp).
// Exit status: 0 done; 1 the command failed or was refused; 2 a command
// line or config error; 3 no hornet listening there. Called by main.cpp
// when argv[1] is "ctl".
#pragma once

namespace hornet {

// argv[0] is "ctl".
int run_ctl(int argc, char** argv, char** envp);

} // namespace hornet
