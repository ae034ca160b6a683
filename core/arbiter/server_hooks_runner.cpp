// The hook runner's Python; see server_hooks_runner.hpp.
//
// `server` is a stand-in for Gunicorn's Arbiter with what hooks use: .pid,
// .cfg (every setting by hornet's and Gunicorn's names, cfg.address,
// cfg.worker_class_str, cfg.env, cfg.settings), .log (a logging.Logger into
// hornet's error log), .num_workers, .address, .LISTENERS, .proc_name.
// Signals that reach the whole process group (a terminal's ^C, systemd's
// TERM to the unit) are ignored: the runner leaves when the arbiter closes
// the channel, after on_exit.
#include "arbiter/server_hooks_runner.hpp"

namespace hornet {

const char* server_hooks_runner_script() {
    return R"PY(
import json, logging, os, runpy, signal, socket, sys, traceback, types
for _s in ("SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGTTIN", "SIGTTOU"):
    signal.signal(getattr(signal, _s), signal.SIG_IGN)
NAMES = sys.argv[1].split(",")
_sock = socket.socket(fileno=3)
_rfile, _wfile = _sock.makefile("rb"), _sock.makefile("wb")
_current = [0]
_state = {"path": None, "hooks": {}}

def send(obj):
    _wfile.write(json.dumps(obj, ensure_ascii=False).encode("utf-8", "replace") + b"\n")
    _wfile.flush()

class _ToHornet(logging.Handler):
    def emit(self, record):
        try:
            send({"id": _current[0], "log": record.levelno, "msg": self.format(record)})
        except Exception:
            self.handleError(record)

LOG = logging.getLogger("hornet.server_hooks")
LOG.addHandler(_ToHornet())
LOG.setLevel(logging.DEBUG)
LOG.propagate = False

def where(e, path):
    line = getattr(e, "lineno", None) if isinstance(e, SyntaxError) else None
    for frame in traceback.extract_tb(e.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return f"{path}:{line}" if line else path

def failure(e, path, what):
    summary = traceback.format_exception_only(type(e), e)[-1].strip()
    return {"done": False, "error": f"{where(e, path)}: {what}{summary}",
            "traceback": "".join(traceback.format_exception(type(e), e, e.__traceback__))}

def load(path):
    try:
        ns = runpy.run_path(path, run_name="__config__")
    except BaseException as e:
        return failure(e, path, "")
    _state["path"] = path
    _state["hooks"] = {k: ns[k] for k in NAMES if callable(ns.get(k))}
    return {"done": True, "hooks": sorted(_state["hooks"])}

def parse_address(bind):
    if bind.startswith("unix:"):
        return bind[5:]
    if bind.startswith("fd://"):
        return int(bind[5:])
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    return (host, int(port)) if port.isdigit() else (bind, 8000)

class _Setting:
    def __init__(self, name, value):
        self.name, self.value = name, value
    def get(self):
        return self.value

class Cfg:
    def __init__(self, values):
        self.__dict__["_values"] = values
        self.__dict__["settings"] = {k: _Setting(k, v) for k, v in values.items()}
    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"No configuration setting for: {name}") from None
    def __setattr__(self, name, value):
        raise AttributeError("Invalid access!")
    @property
    def address(self):
        return [parse_address(b) for b in self._values.get("bind", [])]
    @property
    def worker_class_str(self):
        return self._values.get("worker_class")
    @property
    def env(self):
        return dict(e.split("=", 1) for e in self._values.get("raw_env", []) if "=" in e)

class Listener:
    def __init__(self, url):
        self.url = url
    def __str__(self):
        return self.url
    __repr__ = __str__

def server_of(facts):
    cfg = Cfg(facts["cfg"])
    bound = [u.split("://", 1)[-1] for u in facts["listeners"]]
    return types.SimpleNamespace(
        pid=facts["pid"], cfg=cfg, log=LOG, num_workers=facts["num_workers"], proc_name=facts["proc_name"],
        address=[parse_address(b) for b in bound] if bound else cfg.address, master_name="Master",
        LISTENERS=[Listener(u) for u in facts["listeners"]], WORKERS={}, timeout=cfg._values.get("timeout"))

def call(hook, facts):
    fn = _state["hooks"].get(hook)
    if fn is None:
        return {"done": True}
    try:
        fn(server_of(facts))
    except BaseException as e:
        return failure(e, _state["path"], f"{hook} raised ")
    return {"done": True}

for raw in _rfile:
    req = json.loads(raw)
    _current[0] = req["id"]
    reply = load(req["path"]) if req["op"] == "load" else call(req["hook"], req["server"])
    reply["id"] = req["id"]
    send(reply)
    sys.stdout.flush()
    sys.stderr.flush()
)PY";
}

} // namespace hornet
