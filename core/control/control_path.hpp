// Where a hornet's control socket is: the arbiter binds there and
// `hornet ctl` connects there, and both ask this one function, so that
// `hornet ctl -c hornet.yaml status` finds the hornet started with
// `hornet -c hornet.yaml`.
//
// control_socket: PATH   that path
// control_socket: auto   (the default) PIDFILE.ctl when `pid` is set; else
//                        hornet/NAME.sock in the runtime directory:
//                        /run/hornet/ for root, $XDG_RUNTIME_DIR/hornet/
//                        for others, /tmp/hornet-UID/ without one. NAME is
//                        proc_name, or "hornet".
// control_socket: off    (or "") no control socket
// A relative path means relative to chdir when set (the arbiter has changed
// to it by then), else to the current directory. Any thread; no I/O.
#pragma once

#include <string>
#include <sys/types.h>

#include "config/config.hpp"

namespace hornet {

// What decides the default place besides the config.
struct RuntimeFacts {
    uid_t euid = 0;
    std::string xdg_runtime_dir; // $XDG_RUNTIME_DIR, "" when unset
    static RuntimeFacts of_this_process();
};

struct ControlSocketPlace {
    std::string path;        // "" when the control socket is off
    std::string private_dir; // the default's own folder, created 0700 when missing; "" otherwise
    bool named = false;      // control_socket named it: a failure to bind stops hornet
};

ControlSocketPlace control_socket_place(const Config& config, const RuntimeFacts& facts);

// The path as seen from a process that did not change to `chdir`
// (hornet ctl): a relative path is joined to chdir when that is set.
std::string path_outside_chdir(const std::string& path, const std::string& chdir);

} // namespace hornet
