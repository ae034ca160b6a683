"""scaleout.py: hornet scaled out on one machine, the parts real.

Three "hosts" are network namespaces, each joined to the root namespace by a
veth pair; each runs one hornet (gthread, the echo app) on its own private
address (10.X.I.2, only inside its namespace: the root end of each pair has
no address, only a route). A real balancer in the root namespace (HAProxy,
or nginx) spreads a bounded load over them: wrk on keep-alive connections
and a POSTing client whose connections come from 127.0.0.2, so that the
access logs can tell the two clients apart. Then a rolling upgrade:

  host 1  USR2 binary upgrade, then TERM to the old arbiter
  host 2  a config change (2 -> 3 workers) and HUP
  host 3  TERM (shutdown_delay: /healthz says 503 while it still serves),
          then a start afresh. Its listener is held by the test, as
          hornet.socket holds it under systemd, so the restart refuses no
          connection: a balancer that has no health checks (nginx) loses
          nothing either.

With HAProxy, hosts 1 and 2 are first set to drain on its runtime API and
set ready after; host 3 is taken out by its own health check (503 during
shutdown_delay). HAProxy sends PROXY v2, so hornet's access log shows the
real clients; nginx (http, proxy_next_upstream off) sends X-Forwarded-For.

Used by test_scaleout.py (a short load) and bench/scaleout.sh (a long one):
    python3 scaleout.py --balancer haproxy|nginx --seconds 60 --connections 32
Needs root (namespaces, veth), ip(8), wrk, haproxy, nginx. Everything made
(namespaces, veth pairs, routes, processes) is removed by name or PID.
"""

import argparse
import ctypes
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import harness
from harness import Hornet, children_of, stop_arbiter, wait_until

HOSTS = 3
PORT = 8000           # every host's hornet, on its own address
SHUTDOWN_DELAY = "2s"  # well above HAProxy's detection: 2 checks 100 ms apart
ACCESS_FORMAT = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s'
CLONE_NEWNET = 0x40000000


def run(*argv):
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))}: exit {r.returncode}: {r.stderr.strip()}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------- the network


def free_subnet(skip=()):
    """A 10.N.0.0/16 that no route or address of this machine touches; where
    the search starts depends on the pid, so that two tests running at once
    seldom pick the same (create() moves on if they do)."""
    used = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    used += subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout
    for k in range(24):
        n = 231 + (os.getpid() + k) % 24
        if f"10.{n}." not in used and f"10.{n}" not in skip:
            return f"10.{n}"
    raise RuntimeError("no free 10.N.0.0/16 for the test's namespaces")


class Hosts:
    """HOSTS network namespaces, each with one veth pair to the root one."""

    runs = 0

    def __init__(self, count=HOSTS):
        self.count = count
        self.tag = None
        self.net = None
        self.made = []

    def name(self, i):
        return f"{self.tag}h{i}"

    def address(self, i):
        return f"{self.net}.{i}.2"

    def create(self):
        tried = []
        while True:
            self.net = free_subnet(tried)
            # Names unique per try: a deleted namespace's veth pair goes away lazily.
            Hosts.runs += 1
            self.tag = f"hn{os.getpid() % 100000}{chr(ord('a') + Hosts.runs % 26)}"
            try:
                return self.create_in()
            except RuntimeError:
                self.remove()
                tried.append(self.net)
                if len(tried) == 3:
                    raise

    def create_in(self):
        for i in range(1, self.count + 1):
            ns, root_end, ns_end = self.name(i), f"{self.tag}r{i}", f"{self.tag}n{i}"
            run("ip", "netns", "add", ns)
            self.made.append(ns)
            run("ip", "link", "add", root_end, "type", "veth", "peer", "name", ns_end, "netns", ns)
            run("ip", "link", "set", root_end, "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "addr", "add", f"{self.address(i)}/24", "dev", ns_end)
            run("ip", "-n", ns, "link", "set", ns_end, "up")
            # Back to the root namespace's own address, on the link itself.
            run("ip", "-n", ns, "route", "add", "default", "dev", ns_end)
            run("ip", "route", "add", f"{self.address(i)}/32", "dev", root_end)
        return self

    def remove(self):
        """Deleting a namespace deletes its veth pair, and the route with it."""
        while self.made:
            subprocess.run(["ip", "netns", "del", self.made.pop()], capture_output=True, timeout=30)

    def source_address(self):
        """The address the root namespace's connections to the hosts come from."""
        out = subprocess.run(["ip", "route", "get", self.address(1)], capture_output=True,
                             text=True).stdout
        m = re.search(r"\bsrc (\S+)", out)
        return m.group(1) if m else None

    def listener(self, i):
        """A listening socket made inside host i's namespace (a thread enters it)."""
        made = {}

        def enter_and_listen():
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(f"/run/netns/{self.name(i)}", os.O_RDONLY)
                try:
                    if libc.setns(fd, CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "setns")
                finally:
                    os.close(fd)
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((self.address(i), PORT))
                s.listen(1024)
                made["socket"] = s
            except OSError as e:
                made["error"] = e
        t = threading.Thread(target=enter_and_listen)
        t.start()
        t.join()
        if "error" in made:
            raise made["error"]
        return made["socket"]


# --------------------------------------------------------------- instances


class Instance:
    """hornet on host i: its config file, access log, pid file; restartable."""

    def __init__(self, hosts, i, tmp, proxy_from, held=None):
        self.hosts, self.i, self.tmp = hosts, i, tmp
        self.proxy_from = proxy_from  # PROXY protocol from this address, or None
        self.held = held              # a listener kept open across restarts
        self.config = os.path.join(tmp, f"h{i}.yaml")
        self.access_log = os.path.join(tmp, f"h{i}-access.log")
        self.pidfile = os.path.join(tmp, f"h{i}.pid")
        self.daemons = []
        self.write_config(workers=2)

    def write_config(self, workers):
        lines = [
            f"bind: ['{self.hosts.address(self.i)}:{PORT}']",
            f"workers: {workers}",
            "worker_class: gthread",
            "threads: 4",
            "graceful_timeout: 10s",
            f"shutdown_delay: {SHUTDOWN_DELAY}",
            "health_path: /healthz",
            "ready_path: /readyz",
            f"access_logfile: {self.access_log}",
            f"access_log_format: '{ACCESS_FORMAT}'",
            "app: echo",
        ]
        if self.proxy_from:
            lines += ["proxy_protocol: true", f"proxy_allow_ips: '{self.proxy_from}'"]
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self):
        prefix = ["ip", "netns", "exec", self.hosts.name(self.i)]
        pass_fds, preexec, env = (), None, None
        if self.held is not None:
            # As systemd passes hornet.socket: fd 3, LISTEN_FDS, LISTEN_PID.
            fd = self.held.fileno()
            prefix += ["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$0" "$@"']
            pass_fds, env = (fd, 3), {"LISTEN_FDS": "1"}
            preexec = lambda: os.dup2(fd, 3)  # noqa: E731
        h = Hornet(["-c", self.config, "--pid", self.pidfile], self.tmp, env=env,
                   preexec=preexec, prefix=prefix, pass_fds=pass_fds)
        self.daemons.append(h)
        h.start()
        h.wait_ready(2)
        return h

    @property
    def daemon(self):
        return self.daemons[-1]

    def pid(self):
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def served_lines(self):
        try:
            with open(self.access_log, errors="replace") as f:
                return [l for l in f.read().splitlines() if '"GET /healthz' not in l
                        and '"GET /readyz' not in l]
        except FileNotFoundError:
            return []

    def stop(self):
        pid = self.pid()
        for h in self.daemons:
            h.stop(graceful_timeout=5.0)
        if pid:
            stop_arbiter(pid, 5.0)


# --------------------------------------------------------------- balancers


def start_balancer(balancer, name, argv, ready):
    """Write balancer.config(port) to tmp/name and run argv(path) until
    ready(); a port taken meanwhile (free_port's race) is tried again."""
    for _ in range(3):
        balancer.port = free_port()
        cfg = os.path.join(balancer.tmp, name)
        with open(cfg, "w") as f:
            f.write(balancer.config(balancer.port))
        log = open(os.path.join(balancer.tmp, name + ".log"), "wb")
        balancer.proc = subprocess.Popen(argv(cfg), stdout=log, stderr=log,
                                         preexec_fn=harness._child_setup)
        up = wait_until(lambda: balancer.proc.poll() is not None or ready(), 20)
        if up and balancer.proc.poll() is None:
            return balancer
        balancer.stop()
    raise RuntimeError(f"{balancer.name} did not start: {open(log.name).read()}")


class HAProxy:
    """haproxy -db: round-robin, health checks on /healthz, PROXY v2."""

    name = "haproxy"

    def __init__(self, hosts, tmp):
        self.hosts, self.tmp = hosts, tmp
        self.stats_path = os.path.join(tmp, "haproxy.sock")
        self.proc = None
        self.states = {}  # server -> every status seen, in order

    def config(self, port):
        servers = "\n".join(f"    server h{i} {self.hosts.address(i)}:{PORT}"
                            for i in range(1, self.hosts.count + 1))
        return f"""global
    stats socket {self.stats_path} mode 600 level admin
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout check 2s
frontend web
    bind 127.0.0.1:{port}
    default_backend hornets
backend hornets
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server check inter 100ms fall 2 rise 2 send-proxy-v2 check-send-proxy
{servers}
"""

    def start(self):
        return start_balancer(self, "haproxy.cfg", lambda cfg: ["haproxy", "-db", "-f", cfg], self.all_up)

    def command(self, line):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.stats_path)
            s.sendall(line.encode() + b"\n")
            out = b""
            while chunk := s.recv(65536):
                out += chunk
        return out.decode()

    def stats(self):
        """server -> {status, scur, stot} of the backend's servers."""
        try:
            text = self.command("show stat")
        except OSError:
            return {}
        lines = text.splitlines()
        if not lines or not lines[0].startswith("# "):
            return {}
        head = lines[0][2:].split(",")
        out = {}
        for line in lines[1:]:
            row = dict(zip(head, line.split(",")))
            if row.get("pxname") == "hornets" and row.get("svname", "").startswith("h"):
                out[row["svname"]] = {"status": row["status"], "scur": int(row["scur"] or 0),
                                      "stot": int(row["stot"] or 0)}
                seen = self.states.setdefault(row["svname"], [])
                if not seen or seen[-1] != row["status"]:
                    seen.append(row["status"])
        return out

    def all_up(self):
        st = self.stats()
        return len(st) == self.hosts.count and all(v["status"] == "UP" for v in st.values())

    def wait_status(self, server, status, timeout=20):
        return wait_until(lambda: self.stats().get(server, {}).get("status") == status, timeout, 0.02)

    def drain(self, server):
        self.command(f"set server hornets/{server} state drain")
        return wait_until(lambda: (lambda s: s.get("status") == "DRAIN" and s.get("scur") == 0)(
            self.stats().get(server, {})), 20, 0.02)

    def ready(self, server):
        before = self.stats()[server]["stot"]
        self.command(f"set server hornets/{server} state ready")
        return wait_until(lambda: (lambda s: s.get("status") == "UP" and s.get("stot", 0) > before)(
            self.stats().get(server, {})), 20, 0.02)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Nginx:
    """nginx -g 'daemon off;': round-robin over http, proxy_next_upstream off."""

    name = "nginx"

    def __init__(self, hosts, tmp):
        self.hosts, self.tmp = hosts, tmp
        self.proc = None
        self.workers = []

    def config(self, port):
        servers = "\n".join(f"        server {self.hosts.address(i)}:{PORT};"
                            for i in range(1, self.hosts.count + 1))
        t = self.tmp
        return f"""worker_processes 1;
pid {t}/nginx.pid;
error_log {t}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {t}/body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    upstream hornets {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://hornets;
            # A request that fails is a failed request: no second upstream.
            proxy_next_upstream off;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
    }}
}}
"""

    def start(self):
        start_balancer(self, "nginx.conf",
                       lambda cfg: ["nginx", "-p", self.tmp + "/", "-c", cfg, "-g", "daemon off;"],
                       self.answers)
        self.workers = list(children_of(self.proc.pid))
        return self

    def answers(self):
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            c.request("GET", "/healthz")
            ok = c.getresponse().status == 200
            c.close()
            return ok
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.workers = list(set(self.workers) | children_of(self.proc.pid))
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for pid in self.workers:  # by PID, if one outlived its master
            harness.Seen(pid).kill()


# ------------------------------------------------------------------ clients


class Wrk:
    """wrk on keep-alive connections, bounded by `seconds`; stop() sends INT,
    after which wrk prints its totals."""

    def __init__(self, port, connections, seconds):
        self.proc = subprocess.Popen(
            # --timeout: wrk's default (2 s) counts a slow answer on a busy
            # machine as an error; 15 s still counts a lost one.
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{int(seconds)}s", "--timeout", "15s",
             f"http://127.0.0.1:{port}/"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=harness._child_setup)
        self.output = ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        self.output, _ = self.proc.communicate(timeout=30)
        return self.result()

    def result(self):
        """requests, non-2xx, socket errors (connect+read+write+timeout)."""
        m = re.search(r"(\d+) requests in", self.output)
        requests = int(m.group(1)) if m else 0
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", self.output)
        non2xx = int(m.group(1)) if m else 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", self.output)
        errors = sum(int(g) for g in m.groups()) if m else 0
        return {"requests": requests, "non2xx": non2xx, "socket_errors": errors}


class Poster:
    """POSTs on a keep-alive connection from 127.0.0.2, each body echoed back
    checked, until stop(), `seconds` or `max_requests`. A request without its
    right answer is a failure; a Connection: close answer is not."""

    def __init__(self, port, seconds, max_requests=1000000):
        self.port, self.deadline, self.max = port, time.monotonic() + seconds, max_requests
        self.ok = 0
        self.failures = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        conn = None
        n = 0
        while not self._stop.is_set() and time.monotonic() < self.deadline and n < self.max:
            n += 1
            body = f"post {n} ".encode() * 50
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15,
                                                      source_address=("127.0.0.2", 0))
                conn.request("POST", f"/post/{n}", body=body)
                r = conn.getresponse()
                got = r.read()
                if r.status != 200 or body not in got:
                    self.failures.append(f"POST {n}: status {r.status}")
                else:
                    self.ok += 1
                if r.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                self.failures.append(f"POST {n}: {type(e).__name__}: {e}")
                conn = None
        if conn is not None:
            conn.close()

    def wait_more(self, count, timeout=20):
        goal = self.ok + count
        return wait_until(lambda: self.ok >= goal or not self._thread.is_alive(), timeout)

    def stop(self):
        self._stop.set()
        self._thread.join(30)


# -------------------------------------------------------------- the rolling


class Roll:
    """One whole run: hosts, instances, balancer, load, the rolling upgrade.
    Call setup(); roll(); finish() -> report; cleanup() always."""

    def __init__(self, balancer, tmp, connections=4, seconds=60, log=print):
        self.kind, self.tmp, self.connections, self.seconds = balancer, tmp, connections, seconds
        self.log = log
        self.hosts = Hosts()
        self.instances = []
        self.balancer = None
        self.held = None
        self.wrk = self.poster = None
        self.steps = []   # what happened, for the report

    def setup(self):
        self.hosts.create()
        source = self.hosts.source_address()
        if not source:
            raise RuntimeError("the root namespace has no address to reach the hosts from")
        proxy_from = source if self.kind == "haproxy" else None
        self.held = self.hosts.listener(3)
        for i in range(1, HOSTS + 1):
            inst = Instance(self.hosts, i, self.tmp, proxy_from, held=self.held if i == 3 else None)
            inst.start()
            self.instances.append(inst)
        self.source = source
        cls = HAProxy if self.kind == "haproxy" else Nginx
        self.balancer = cls(self.hosts, self.tmp).start()
        self.wrk = Wrk(self.balancer.port, self.connections, self.seconds)
        self.poster = Poster(self.balancer.port, self.seconds)
        self.check(self.poster.wait_more(20), "the POSTing client got no answers")

    def check(self, condition, what):
        if not condition:
            raise AssertionError(f"{what}\n{self.diagnostics()}")

    def diagnostics(self):
        out = [f"steps: {self.steps}"]
        if isinstance(self.balancer, HAProxy):
            out.append(f"haproxy states: {self.balancer.states}")
        for inst in self.instances:
            out.append(f"--- h{inst.i} log:\n" + "\n".join(inst.daemon.log_lines()[-30:]))
        return "\n".join(out)

    def upgrade_binary(self, inst):
        h, old = inst.daemon, inst.pid()
        os.kill(old, signal.SIGUSR2)
        new = wait_until(lambda: inst.pid() not in (None, old) and inst.pid(), 20)
        self.check(new, "USR2: no new arbiter wrote the pid file")
        self.check(h.wait_log(rf"\[{new}\] \[INFO\] Booting worker", 2), "USR2: the new arbiter's workers")
        was = harness.Seen(old)
        os.kill(old, signal.SIGTERM)
        if old == h.pid:  # our child: its exit status too
            self.check(h.wait_exit(20) == 0, "USR2: the old arbiter did not stop cleanly")
        else:             # the new arbiter of an earlier round
            self.check(wait_until(lambda: not was.alive(), 20), "USR2: the old arbiter did not stop")
        self.steps.append(f"h{inst.i}: USR2, arbiter {old} -> {new}")

    def reload_config(self, inst):
        pid = inst.pid()
        workers = 3 if len(children_of(pid)) == 2 else 2
        inst.write_config(workers=workers)
        os.kill(pid, signal.SIGHUP)
        h = inst.daemon
        reloads = len(h.wait_log(r"Reloaded: now serving", 0, 0))
        self.check(h.wait_log(r"Reloaded: now serving", reloads + 1), "HUP: no new generation")
        self.check(wait_until(lambda: len(children_of(pid)) == workers, 20), f"HUP: not {workers} workers")
        self.steps.append(f"h{inst.i}: HUP, now {workers} workers")

    def restart(self, inst):
        h = inst.daemon
        os.kill(inst.pid(), signal.SIGTERM)
        if isinstance(self.balancer, HAProxy):
            self.check(self.balancer.wait_status(f"h{inst.i}", "DOWN"),
                       "TERM: haproxy did not see /healthz turn 503")
        self.check(h.wait_exit(30) == 0, "TERM: hornet did not stop cleanly")
        before = len(inst.served_lines())
        inst.start()
        if isinstance(self.balancer, HAProxy):
            self.check(self.balancer.wait_status(f"h{inst.i}", "UP"), "restart: haproxy did not take it back")
        self.check(wait_until(lambda: len(inst.served_lines()) > before, 20), "restart: served nothing")
        self.steps.append(f"h{inst.i}: TERM, restart")

    def roll(self, rounds=1):
        for _ in range(rounds):
            self.roll_once()

    def roll_once(self):
        haproxy = isinstance(self.balancer, HAProxy)
        for inst, action in zip(self.instances, (self.upgrade_binary, self.reload_config, self.restart)):
            name = f"h{inst.i}"
            began = time.monotonic()
            if haproxy and action != self.restart:
                self.check(self.balancer.drain(name), f"{name}: haproxy did not drain it")
            action(inst)
            served = len(inst.served_lines())
            if haproxy and action != self.restart:
                self.check(self.balancer.ready(name), f"{name}: haproxy did not take it back")
            self.check(self.poster.wait_more(20), f"{name}: the POSTs stopped")
            self.check(wait_until(lambda: len(inst.served_lines()) > served, 20),
                       f"{name}: serves nothing after its turn")
            self.steps.append(f"{name}: {time.monotonic() - began:.1f}s")

    def finish(self):
        """Stop the load; the numbers the test asserts on."""
        self.poster.stop()
        wrk = self.wrk.stop()
        served = {f"h{inst.i}": inst.served_lines() for inst in self.instances}
        return {"wrk": wrk, "wrk_output": self.wrk.output, "posts_ok": self.poster.ok,
                "post_failures": self.poster.failures, "served": served,
                "states": getattr(self.balancer, "states", {}), "steps": self.steps,
                "source": self.source}

    def cleanup(self):
        for c in (self.poster,):
            if c:
                c.stop()
        if self.wrk and self.wrk.proc.poll() is None:
            self.wrk.proc.kill()
            self.wrk.proc.wait(10)
        if self.balancer:
            self.balancer.stop()
        for inst in self.instances:
            inst.stop()
        if self.held:
            self.held.close()
        self.hosts.remove()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--balancer", choices=("haproxy", "nginx"), default="haproxy")
    p.add_argument("--seconds", type=int, default=60, help="the load's upper bound")
    p.add_argument("--connections", type=int, default=32, help="wrk's keep-alive connections")
    p.add_argument("--rounds", type=int, default=1, help="how many times to roll the three hosts")
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="hornet-scaleout-")
    r = Roll(args.balancer, tmp, args.connections, args.seconds)
    try:
        r.setup()
        started = time.monotonic()
        r.roll(args.rounds)
        rolled = time.monotonic() - started
        report = r.finish()
    finally:
        r.cleanup()
        shutil.rmtree(tmp, True)
    w = report["wrk"]
    failed = w["non2xx"] + w["socket_errors"] + len(report["post_failures"])
    print(f"{args.balancer}: rolled 3 hosts {args.rounds} time(s) in {rolled:.1f}s under {args.connections} wrk connections "
          f"+ 1 POSTing client; wrk {w['requests']} requests ({w['non2xx']} non-2xx, "
          f"{w['socket_errors']} socket errors), {report['posts_ok']} POSTs "
          f"({len(report['post_failures'])} failed): {failed} failed in all")
    print("; ".join(report["steps"]))
    print(report["wrk_output"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
