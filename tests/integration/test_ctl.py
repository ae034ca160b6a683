"""hornet ctl and the control socket against the real daemon: every command
(status, workers, reload, scale/incr/decr, reopen-logs, stop, config,
plugins, help), with exact checks; the socket's 0600 mode and SO_PEERCRED
refusal of another uid; ctl with no daemon; a stale socket file; a live one
that is never stolen; malformed and overlong lines; several clients; the
default path found as the server computes it; a binary upgrade.

Each test gives its daemon its own socket in its temp dir (or a unique
proc_name under /run/hornet), so tests running in parallel never meet.
"""

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import time

from harness import (HORNET_BIN, HornetTestCase, children_of, main, open_reader, optional,
                     read_response, stop_arbiter, wait_closed, wait_until)
from http_wire import PROBE_APP

NOBODY = 65534


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HORNET_")}
    env.update(extra or {})
    return env


def become(uid):
    """preexec_fn: run as uid (and its group) from exec on."""
    def drop():
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    return drop


def fork_as(uid, body):
    """Run body() in a forked child that has become uid; returns its pid."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setgid(uid)
            os.setuid(uid)
            body()
        finally:
            os._exit(0)
    return pid


class Client:
    """A raw control connection: send lines, read reply objects."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def send(self, data):
        """Send; a server that already hung up (a refusal) is no error here."""
        try:
            self.sock.sendall(data if isinstance(data, bytes) else (json.dumps(data) + "\n").encode())
        except (BrokenPipeError, ConnectionResetError):
            pass

    def line(self):
        """The next line as bytes, or b"" at EOF."""
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:  # closed with our request unread
                chunk = b""
            if not chunk:
                out, self.buf = self.buf, b""
                return out
            self.buf += chunk
        out, _, self.buf = self.buf.partition(b"\n")
        return out

    def reply(self):
        return json.loads(self.line())

    def call(self, command, *args, id=None):
        request = {"command": command, "args": list(args)}
        if id is not None:
            request["id"] = id
        self.send(request)
        return self.reply()

    def close(self):
        self.sock.close()


OK_APP = ("def app(environ, start_response):\n"
          "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
          "    return [b'ok']\n")


class CtlTest(HornetTestCase):
    def setUp(self):
        super().setUp()
        self.sock = os.path.join(self.tmp, "ctl.sock")

    def python_modules(self, **sources):
        """A folder for pythonpath holding NAME.py for each NAME=source."""
        folder = os.path.join(self.tmp, "py")
        os.makedirs(folder, exist_ok=True)
        for name, source in sources.items():
            with open(os.path.join(folder, f"{name}.py"), "w") as f:
                f.write(source)
        return folder

    def start(self, *args, app="hello", workers=2, env=None):
        """A daemon on this test's socket; app=None when a -c file names it."""
        return self.daemon(["--control-socket", self.sock, *args, *([app] if app else [])], workers=workers, env=env)

    def binary_for(self, uid):
        """HORNET_BIN, or for another uid a copy it may run: the build tree
        may sit in a folder only root can enter."""
        if uid is None:
            return HORNET_BIN
        os.chmod(self.tmp, 0o755)
        copy = os.path.join(self.tmp, "hornet")
        if not os.path.exists(copy):
            shutil.copy(HORNET_BIN, copy)
        return copy

    def ctl(self, *args, uid=None, socket_path=None, env=None, timeout=60):
        """hornet ctl ARGS, as uid when given: (exit status, stdout, stderr)."""
        where = [] if socket_path is False else ["--socket", socket_path or self.sock]
        p = subprocess.run([self.binary_for(uid), "ctl", *where, *args], capture_output=True, text=True,
                           timeout=timeout, env=clean_env(env), cwd=self.tmp,
                           preexec_fn=become(uid) if uid is not None else None)
        self.assertNotIn("Traceback", p.stderr)
        return p.returncode, p.stdout, p.stderr

    def ctl_json(self, *args, **kw):
        rc, out, err = self.ctl("--json", *args, **kw)
        self.assertEqual(len(out.splitlines()), 1, f"one reply line, got {out!r} {err!r}")
        reply = json.loads(out)
        self.assertEqual(rc, 0 if reply["ok"] else 1, reply)
        return reply

    def status(self, **kw):
        reply = self.ctl_json("status", **kw)
        self.assertTrue(reply["ok"], reply)
        return reply["result"]

    def wait_status(self, predicate, timeout=15):
        """The status once predicate(status) holds (or the last one)."""
        last = {}

        def check():
            nonlocal last
            last = self.status()
            return predicate(last)
        wait_until(check, timeout, interval=0.1)
        return last

    def ready_pids(self, status, generation=None):
        gen = generation or status["generation"]
        return sorted(w["pid"] for w in status["workers"] if w["state"] == "ready" and w["generation"] == gen)

    # --------------------------------------------------------------- status

    def test_status_reports_the_arbiter_and_every_worker(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write("app: hello\n")
        h = self.start("-c", config, app=None)
        # "ready" and the rows are read one after the other from live workers: wait for both.
        s = self.wait_status(lambda s: s["ready"] and len(self.ready_pids(s)) == 2)
        self.assertEqual(s["pid"], h.pid)
        self.assertEqual(s["generation"], 1)
        self.assertEqual(s["config_file"], config)
        self.assertEqual(s["workers_target"], 2)
        self.assertTrue(s["ready"])
        self.assertFalse(s["stopping"])
        self.assertIsNone(s["reloading"])
        self.assertEqual(s["listeners"], [h.url])
        self.assertEqual(s["control_socket"], self.sock)
        self.assertEqual(self.ready_pids(s), sorted(h.workers()))
        for w in s["workers"]:
            self.assertEqual(w["requests"], 0)
            self.assertEqual(w["connections"], 0)
            self.assertEqual((w["in_flight"], w["request"]), (0, None))
            self.assertGreater(w["rss_bytes"], 0)
            self.assertGreaterEqual(w["age_ms"], 0)
            self.assertGreaterEqual(w["heartbeat_age_ms"], 0)
        self.assertEqual(sorted(w["worker_id"] for w in s["workers"]), [1, 2])
        self.assertEqual(s["restarts"], {"max_requests": 0, "max_worker_memory": 0,
                                         "max_worker_memory_hard": 0, "timeout": 0, "died": 0})
        # The table a person reads: a header, then one row per worker.
        rc, out, err = self.ctl("status")
        self.assertEqual(rc, 0, err)
        self.assertIn(f"arbiter pid {h.pid}", out)
        self.assertIn(f"config:    {config}", out)
        self.assertRegex(out, r"PID +ID +GEN +STATE +AGE +REQUESTS +CONNS +INFLIGHT +RSS +HEARTBEAT +REQUEST")
        for pid in h.workers():
            self.assertRegex(out, rf"(?m)^{pid} +\d +1 +ready ")

    def test_requests_served_are_counted_exactly(self):
        h = self.start()
        for _ in range(25):
            self.assertEqual(self.get(h)[0], 200)
        total = lambda s: sum(w["requests"] for w in s["workers"])
        s = self.wait_status(lambda s: total(s) >= 25)
        self.assertEqual(total(s), 25)
        rc, out, _ = self.ctl("workers")
        self.assertEqual(rc, 0)
        served = [int(re.split(r" +", row)[5]) for row in out.splitlines()[1:]]
        self.assertEqual(sum(served), 25, out)

    def test_a_busy_worker_shows_its_request(self):
        h = self.start(app=PROBE_APP, workers=1)
        r = self.half_a_body(h)  # with the app until the body's end
        s = self.wait_status(lambda s: s["workers"][0]["in_flight"] == 1 and s["workers"][0]["request"])
        w = s["workers"][0]
        self.assertEqual((w["in_flight"], w["connections"]), (1, 1))
        self.assertEqual((w["request"]["method"], w["request"]["path"]), ("POST", "/read"))
        self.assertGreaterEqual(w["request"]["age_ms"], 0)
        rc, out, _ = self.ctl("workers")
        self.assertRegex(out, rf"(?m)^{w['pid']} .* 1 +\S+ MiB +\S+ ago +POST /read for \S+$")
        r.sock.sendall(b"67890")
        self.assertEqual(read_response(r).status, 200)
        s = self.wait_status(lambda s: s["workers"][0]["in_flight"] == 0)
        self.assertEqual((s["workers"][0]["in_flight"], s["workers"][0]["request"]), (0, None))

    def test_status_counts_a_worker_that_died(self):
        h = self.start()
        s = self.wait_status(lambda s: len(self.ready_pids(s)) == 2)
        victim = self.ready_pids(s)[0]
        os.kill(victim, signal.SIGKILL)
        s = self.wait_status(lambda s: victim not in [w["pid"] for w in s["workers"]]
                             and len(self.ready_pids(s)) == 2)
        self.assertEqual(s["restarts"]["died"], 1)
        rc, out, _ = self.ctl("status")
        self.assertIn("restarts:  1 died", out)

    # ---------------------------------------------------------------- scale

    def test_scale_incr_and_decr(self):
        h = self.start()
        rc, out, err = self.ctl("scale", "3")
        self.assertEqual((rc, out), (0, "Workers: 3\n"), err)
        s = self.wait_status(lambda s: len(self.ready_pids(s)) == 3)
        self.assertEqual(s["workers_target"], 3)
        self.assertEqual(len(self.ready_pids(s)), 3)
        self.assertEqual(len(h.workers()), 3)
        self.assertEqual(self.ctl_json("incr")["result"], {"workers": 4})
        self.assertEqual(len(self.ready_pids(self.wait_status(lambda s: len(self.ready_pids(s)) == 4))), 4)
        self.assertEqual(self.ctl_json("decr")["result"], {"workers": 3})
        s = self.wait_status(lambda s: len(s["workers"]) == 3)
        self.assertEqual(len(s["workers"]), 3)
        self.assertTrue(h.wait_log(r"Handling control command: decr \(uid 0, pid \d+\)"), h.log())

    def test_scale_refusals_change_nothing(self):
        self.start(workers=1)
        rc, _, err = self.ctl("decr")
        self.assertEqual(rc, 1)
        self.assertEqual(err, "hornet ctl: the workers are at 1, and never go below one\n")
        for bad in ("0", "x", "-2", "33"):
            rc, _, err = self.ctl("scale", bad)
            self.assertEqual(rc, 1, bad)
            self.assertEqual(err, f"hornet ctl: scale: expected a number of workers from 1 to 32, got '{bad}'\n")
        rc, _, err = self.ctl("scale")
        self.assertEqual((rc, err), (1, "hornet ctl: usage: scale N\n"))
        self.assertEqual(self.status()["workers_target"], 1)

    # --------------------------------------------------------------- reload

    def test_reload_answers_once_the_new_generation_serves(self):
        h = self.start()
        old = sorted(h.workers())
        rc, out, err = self.ctl("reload")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^Reloaded: now serving generation 2 \(worker sync, app hello [\d.]+\)\n$")
        # Answered after the promotion: the status already says generation 2.
        s = self.status()
        self.assertEqual(s["generation"], 2)
        self.assertEqual(len(self.ready_pids(s, 2)), 2)
        self.assertTrue(set(self.ready_pids(s, 2)).isdisjoint(old))
        reply = self.ctl_json("reload")
        self.assertEqual(reply["result"]["generation"], 3)
        self.assertEqual(self.get(h)[0], 200)

    def test_a_bad_reload_says_why_and_the_old_workers_serve_on(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write("app: hello\n")
        h = self.start("-c", config, app=None)
        s = self.wait_status(lambda s: len(self.ready_pids(s)) == 2)
        before = self.ready_pids(s)
        with open(config, "w") as f:
            f.write("app: hello\nwokers: 3\n")
        rc, out, err = self.ctl("reload")
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertRegex(err, rf"^hornet ctl: Reload failed: {re.escape(config)}:2:1: key 'wokers': unknown setting; "
                              r"did you mean 'workers'\?"
                              r"; still serving generation 1 \(worker sync, app hello")
        # The same line as the log's.
        self.assertTrue(h.wait_log(re.escape(err[len("hornet ctl: "):].strip())), h.log())
        self.assertEqual(self.get(h)[0], 200)
        s = self.status()
        self.assertEqual((s["generation"], self.ready_pids(s)), (1, before))
        # An app that cannot load is refused the same way, in JSON too.
        with open(config, "w") as f:
            f.write("app: no-such-app\n")
        reply = self.ctl_json("reload")
        self.assertEqual(reply["error"]["code"], "reload_failed")
        self.assertIn("no-such-app", reply["error"]["message"])
        self.assertEqual(self.get(h)[0], 200)

    def test_a_reload_whose_workers_cannot_boot_answers_when_it_is_dropped(self):
        # The new generation's app fails in every new worker (the wsgi app
        # imports the module there): the answer comes from the Reconciler.
        pkg = self.python_modules(good=OK_APP, bad="raise RuntimeError('bad module')\n")
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write(f"app: good:app\npythonpath: {pkg}\n")
        h = self.start("-c", config, app=None)
        with open(config, "w") as f:
            f.write(f"app: bad:app\npythonpath: {pkg}\n")
        rc, _, err = self.ctl("reload")
        self.assertEqual(rc, 1, err)
        self.assertRegex(err, r"^hornet ctl: Reload failed: .+; still serving generation 1 ")
        self.assertEqual(self.get(h)[2], b"ok")
        self.assertEqual(self.status()["generation"], 1)

    # ------------------------------------------------------- logs, config, plugins

    def test_reopen_logs(self):
        access = os.path.join(self.tmp, "access.log")
        h = self.start("--access-logfile", access, workers=1)
        self.get(h)
        self.assertTrue(wait_until(lambda: os.path.getsize(access) > 0, 5))
        os.rename(access, access + ".1")
        rc, out, err = self.ctl("reopen-logs")
        self.assertEqual((rc, out), (0, "Reopened log files\n"), err)
        self.assertTrue(h.wait_log("Reopened log files"))
        self.assertTrue(os.path.exists(access))
        self.get(h)
        self.assertTrue(wait_until(lambda: "GET / HTTP/1.1" in open(access).read(), 5), h.log())

    def test_config_is_the_effective_configuration(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write("app: echo\ntimeout: 7s\nkeep_alive: 9s\n")
        env = {"HORNET_KEEP_ALIVE": "3s"}
        h = self.start("-c", config, "--max-requests", "100", env=env, app=None)
        s = self.ctl_json("config")["result"]["settings"]
        self.assertEqual((s["app"], s["timeout"], s["keep_alive"], s["max_requests"]), ("echo", "7s", "3s", "100"))
        self.assertEqual(s["bind"], ["127.0.0.1:0"])
        self.assertEqual(s["control_socket"], self.sock)
        # The human form is --print-config's YAML for the same invocation.
        rc, out, _ = self.ctl("config")
        printed = subprocess.run([*h.args, "--print-config"], capture_output=True, text=True, timeout=20,
                                 env=clean_env(env), cwd=self.tmp)
        self.assertEqual(printed.returncode, 0, printed.stderr)
        self.assertEqual(out, printed.stdout)

    def test_plugins_lists_what_each_generation_loaded(self):
        self.start("-k", "gthread", app="echo")
        gens = self.ctl_json("plugins")["result"]["generations"]
        self.assertEqual(len(gens), 1)
        g = gens[0]
        self.assertEqual((g["generation"], g["serving"]), (1, True))
        self.assertEqual((g["worker"]["name"], g["app"]["name"]), ("gthread", "echo"))
        self.assertTrue(g["worker"]["path"].endswith("/gthread.so"), g)
        self.assertTrue(g["app"]["path"].endswith("/echo.so"), g)
        self.assertRegex(g["worker"]["abi"], r"^1\.\d+$")
        rc, out, _ = self.ctl("plugins")
        self.assertRegex(out, r"(?m)^1 +serving +worker +gthread +\S+ +1\.\d+ +/\S+/gthread\.so$")
        self.assertRegex(out, r"(?m)^1 +serving +app +echo ")

    def test_help_lists_the_commands(self):
        self.start(workers=1)
        names = [c["name"] for c in self.ctl_json("help")["result"]["commands"]]
        self.assertEqual(names, ["status", "workers", "reload", "scale", "incr", "decr", "reopen-logs",
                                 "stop", "config", "plugins", "help"])
        rc, out, _ = self.ctl("help")
        self.assertIn("stop [--graceful]", out)

    # ----------------------------------------------------------------- stop

    def half_a_body(self, h):
        """A POST whose app waits for the rest of its body (the probe app's
        /read): what a fast stop cuts and a graceful one lets finish."""
        r = open_reader(h.port, timeout=20)
        self.addCleanup(r.close)
        r.sock.sendall(b"POST /read HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        self.assertTrue(r.until(b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue\r\n"))  # the app reads
        r.sock.sendall(b"12345")
        return r

    def test_stop_graceful_finishes_what_is_in_flight_and_exits_0(self):
        h = self.start(app=PROBE_APP, workers=1)
        r = self.half_a_body(h)
        rc, text, err = self.ctl("stop", "--graceful")
        self.assertEqual((rc, text), (0, "Stopping gracefully\n"), err)
        self.assertTrue(h.wait_log(r"Handling control command: stop --graceful"), h.log())
        r.sock.sendall(b"67890")
        resp = read_response(r)
        self.assertEqual((resp.status, resp.body), (200, b"read 10\n"))
        self.assertEqual(h.wait_exit(), 0, h.log())
        self.assertFalse(os.path.exists(self.sock))

    def test_stop_now_cuts_what_is_in_flight(self):
        # A graceful stop would hold the request for 30 s; this one cuts it.
        h = self.start("--graceful-timeout", "30s", app=PROBE_APP, workers=1)
        r = self.half_a_body(h)
        self.assertEqual(self.ctl_json("stop")["result"], {"stopping": True, "graceful": False})
        self.assertIsNotNone(wait_closed(r, 10.0), "the request waiting on its body was not cut")
        self.assertEqual(h.wait_exit(), 0, h.log())
        self.assertFalse(os.path.exists(self.sock))

    def test_stop_with_another_word_is_refused(self):
        h = self.start(workers=1)
        rc, _, err = self.ctl("stop", "--gracefully")
        self.assertEqual((rc, err), (1, "hornet ctl: usage: stop [--graceful]; got '--gracefully'\n"))
        self.assertTrue(h.running())

    # ---------------------------------------------------------- who may ask

    def test_the_socket_is_0600_and_another_uid_is_refused(self):
        if os.geteuid() != 0:
            self.skipTest(optional("needs root to act as another uid"))
        h = self.start(workers=1)
        st = os.stat(self.sock)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(st.st_uid, 0)
        rc, _, err = self.ctl("status", uid=NOBODY)
        self.assertEqual(rc, 1)
        self.assertEqual(err, f"hornet ctl: {self.sock}: permission denied: only uid 0 (who runs that hornet) "
                              "and root may use it\n")
        # With the file mode opened up, SO_PEERCRED still says no.
        os.chmod(self.sock, 0o666)
        rc, _, err = self.ctl("status", uid=NOBODY)
        self.assertEqual(rc, 1)
        self.assertEqual(err, f"hornet ctl: uid {NOBODY} may not use this control socket: only root may use it\n")
        self.assertTrue(h.wait_log(rf"Control socket: refused uid {NOBODY} \(pid \d+\)"), h.log())
        # And the raw protocol: one error object, then the connection closes.
        r, w = os.pipe()

        def ask_to_stop():
            c = Client(self.sock)
            c.send({"command": "stop"})
            os.write(w, c.line() + b"\n" + c.line())
        child = fork_as(NOBODY, ask_to_stop)
        os.close(w)
        with os.fdopen(r, "rb") as f:
            got = f.read()
        os.waitpid(child, 0)
        first, _, rest = got.partition(b"\n")
        reply = json.loads(first)
        self.assertEqual(reply["ok"], False)
        self.assertEqual(reply["error"]["code"], "permission_denied")
        self.assertEqual(rest, b"", "the connection closes after the refusal")
        self.assertTrue(h.running(), "the refused stop did nothing")
        self.assertEqual(self.status()["stopping"], False)

    def test_ctl_does_not_talk_to_another_users_socket(self):
        if os.geteuid() != 0:
            self.skipTest(optional("needs root to act as other uids"))
        # A socket of nobody's, as another user could leave in /tmp.
        place = os.path.join(self.tmp, "shared")
        os.mkdir(place)
        os.chmod(place, 0o777)
        self.binary_for(NOBODY - 1)  # and opens the temp dir to other users
        path = os.path.join(place, "hornet.sock")
        ready_r, ready_w = os.pipe()

        def serve():
            s = socket.socket(socket.AF_UNIX)
            s.bind(path)
            os.chmod(path, 0o666)
            s.listen(4)
            os.write(ready_w, b"x")
            s.settimeout(20)
            conn, _ = s.accept()
            conn.sendall(b'{"id":1,"ok":true,"result":{"workers":99}}\n')
            conn.recv(100)  # until the client hangs up
        server = fork_as(NOBODY, serve)
        self.addCleanup(lambda: (os.kill(server, signal.SIGKILL), os.waitpid(server, 0)))
        os.read(ready_r, 1)
        rc, out, err = self.ctl("incr", uid=NOBODY - 1, socket_path=path)
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(err, f"hornet ctl: {path} is served by uid {NOBODY}, neither you nor root: "
                              "not talking to it\n")

    # ------------------------------------------------------- no daemon, stale, live

    def test_ctl_with_no_hornet_is_one_line(self):
        rc, out, err = self.ctl("status")
        self.assertEqual((rc, out), (3, ""))
        self.assertEqual(err, f"hornet ctl: no hornet listening on {self.sock}: no such file or directory\n")
        # A socket file nobody listens on (an arbiter that was killed).
        s = socket.socket(socket.AF_UNIX)
        s.bind(self.sock)
        s.close()
        rc, out, err = self.ctl("status")
        self.assertEqual((rc, err), (3, f"hornet ctl: no hornet listening on {self.sock}: connection refused\n"))

    def test_a_stale_socket_file_is_replaced(self):
        s = socket.socket(socket.AF_UNIX)
        s.bind(self.sock)
        s.close()
        h = self.start(workers=1)
        self.assertTrue(h.wait_log(rf"Control socket at: {re.escape(self.sock)}"), h.log())
        self.assertEqual(self.status()["pid"], h.pid)

    def test_a_killed_arbiter_leaves_a_file_the_next_one_takes(self):
        h = self.start(workers=1)
        os.kill(h.pid, signal.SIGKILL)
        h.wait_exit()
        h.stop()
        self.assertTrue(os.path.exists(self.sock), "SIGKILL leaves the file")
        self.assertEqual(self.ctl("status")[0], 3)
        h2 = self.start(workers=1)
        self.assertEqual(self.status()["pid"], h2.pid)

    def test_a_live_socket_is_never_stolen(self):
        first = self.start(workers=1)
        second = self.daemon(["--control-socket", self.sock, "hello"], workers=1, ready=False)
        self.assertEqual(second.wait_exit(), 1, second.log())
        self.assertOneErrorLine(second.log(), f"control socket {self.sock}: another hornet is listening there")
        self.assertEqual(self.status()["pid"], first.pid)

    def test_a_path_that_is_not_a_socket_is_refused(self):
        with open(self.sock, "w") as f:
            f.write("precious\n")
        h = self.daemon(["--control-socket", self.sock, "hello"], workers=1, ready=False)
        self.assertEqual(h.wait_exit(), 1, h.log())
        self.assertOneErrorLine(h.log(), "the path exists and is not a socket")
        self.assertEqual(open(self.sock).read(), "precious\n")

    def test_control_socket_off(self):
        h = self.daemon(["--control-socket", "off", "--pid", os.path.join(self.tmp, "h.pid"), "hello"], workers=1)
        self.assertTrue(h.wait_log("Control socket: off"), h.log())
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "h.pid.ctl")))
        rc, _, err = self.ctl("--control-socket", "off", "status", socket_path=False)
        self.assertEqual(rc, 2)
        self.assertIn("control socket is off", err)

    # ------------------------------------------------------------ the protocol

    def test_malformed_lines_get_an_error_and_the_connection_lives_on(self):
        self.start(workers=1)
        c = Client(self.sock)
        self.addCleanup(c.close)
        c.send(b"this is not json\n")
        r = c.reply()
        self.assertEqual((r["ok"], r["error"]["code"]), (False, "bad_request"))
        c.send(b"\n")  # a blank line asks nothing: no reply
        c.send(b'["status"]\n')
        self.assertEqual(c.reply()["error"]["code"], "bad_request")
        c.send({"id": 5, "command": "stauts"})
        r = c.reply()
        self.assertEqual((r["id"], r["error"]["code"]), (5, "unknown_command"))
        self.assertIn("did you mean 'status'?", r["error"]["message"])
        c.send({"id": 6, "command": "scale", "args": ["1", "2"]})
        self.assertEqual(c.reply()["error"], {"code": "bad_arguments", "message": "usage: scale N"})
        r = c.call("status", id="after")
        self.assertEqual((r["id"], r["ok"]), ("after", True))

    def test_pipelined_requests_are_answered_in_turn(self):
        self.start(workers=1)
        c = Client(self.sock)
        self.addCleanup(c.close)
        c.send(b'{"id":1,"command":"workers"}\r\n{"id":2,"command":"help"}\n{"id":3,"command":"plugins"}\n')
        replies = [c.reply() for _ in range(3)]
        self.assertEqual([r["id"] for r in replies], [1, 2, 3])
        self.assertTrue(all(r["ok"] for r in replies), replies)

    def test_an_overlong_line_is_refused_and_closes(self):
        h = self.start(workers=1)
        c = Client(self.sock)
        self.addCleanup(c.close)
        c.send(b'{"command":"status","args":["' + b"x" * (70 * 1024))
        r = c.reply()
        self.assertEqual(r["error"]["code"], "line_too_long")
        self.assertEqual(c.line(), b"", "closed after the error")
        self.assertEqual(self.status()["pid"], h.pid)

    def test_several_clients_at_once(self):
        self.start(workers=1)
        clients = [Client(self.sock) for _ in range(8)]
        for c in clients:
            self.addCleanup(c.close)
        for i, c in enumerate(clients):
            c.send({"id": i, "command": "status"})
        for i, c in reversed(list(enumerate(clients))):
            r = c.reply()
            self.assertEqual((r["id"], r["ok"]), (i, True))

    def test_a_reload_does_not_hold_up_other_clients(self):
        # The new worker takes a while to boot (its module sleeps on import):
        # status on another connection is answered meanwhile, reload after.
        pkg = self.python_modules(slow="import time\ntime.sleep(1.5)\n" + OK_APP)
        self.start("--pythonpath", pkg, app="slow:app", workers=1)
        self.wait_status(lambda s: len(self.ready_pids(s)) == 1)
        waiting = Client(self.sock)
        self.addCleanup(waiting.close)
        waiting.send({"id": "r", "command": "reload"})
        s = self.wait_status(lambda s: s["reloading"] == 2, 10)
        self.assertEqual(s["reloading"], 2, "status answered while the reload runs")
        r = waiting.reply()
        self.assertEqual((r["id"], r["ok"], r["result"]["generation"]), ("r", True, 2), r)
        self.assertEqual(self.status()["reloading"], None)

    # ------------------------------------------------ the default place

    def test_the_default_socket_is_next_to_the_pid_file(self):
        pidfile = os.path.join(self.tmp, "h.pid")
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write(f"app: hello\npid: {pidfile}\n")
        h = self.daemon(["-c", config], workers=1)
        self.assertTrue(stat.S_ISSOCK(os.stat(pidfile + ".ctl").st_mode))
        rc, out, err = self.ctl("-c", config, "status", socket_path=False)
        self.assertEqual(rc, 0, err)
        self.assertIn(f"arbiter pid {h.pid}", out)
        rc, out, err = self.ctl("--pid", pidfile, "--json", "workers", socket_path=False)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(json.loads(out)["result"]["workers"]), 1)
        # HORNET_PID is read as the server reads it.
        rc, _, err = self.ctl("status", socket_path=False, env={"HORNET_PID": pidfile})
        self.assertEqual(rc, 0, err)
        h.stop()
        self.assertFalse(os.path.exists(pidfile + ".ctl"))

    def test_the_default_socket_for_root_is_in_run_hornet_by_proc_name(self):
        if os.geteuid() != 0:
            self.skipTest(optional("the default place differs for other users"))
        name = f"ctltest-{os.getpid()}-{time.monotonic_ns()}"
        path = f"/run/hornet/{name}.sock"
        h = self.daemon(["-n", name, "hello"], workers=1)
        self.assertTrue(h.wait_log(rf"Control socket at: {re.escape(path)}"), h.log())
        self.assertEqual(stat.S_IMODE(os.stat("/run/hornet").st_mode) & 0o022, 0)
        rc, out, err = self.ctl("-n", name, "status", socket_path=False)
        self.assertEqual(rc, 0, err)
        self.assertIn(f"arbiter pid {h.pid}", out)
        h.stop()
        self.assertFalse(os.path.exists(path))
        # A second hornet at the default place runs on without one.
        a = self.daemon(["-n", name, "hello"], workers=1)
        b = self.daemon(["-n", name, "hello"], workers=1)
        self.assertTrue(b.wait_log(r"No control socket: .*another hornet is listening there"), b.log())
        self.assertEqual(self.status(socket_path=path)["pid"], a.pid)

    # ------------------------------------------------------ a binary upgrade

    def test_usr2_leaves_the_path_to_the_new_arbiter(self):
        pidfile = os.path.join(self.tmp, "h.pid")
        h = self.start("--pid", pidfile)
        old = h.pid
        os.kill(old, signal.SIGUSR2)
        self.assertTrue(wait_until(lambda: os.path.exists(pidfile + ".oldbin"), 10), h.log())
        new = int(wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), 10))
        self.addCleanup(stop_arbiter, new)
        self.assertNotEqual(new, old)
        self.assertTrue(wait_until(lambda: len(children_of(new)) == 2, 10), h.log())
        self.assertTrue(h.wait_log(rf"\[{new}\] \[INFO\] Control socket at: {re.escape(self.sock)}"), h.log())
        self.assertEqual(self.status()["pid"], new)
        self.assertEqual(self.status(socket_path=self.sock + ".oldbin")["pid"], old)
        # The old one stops through its own socket; the new one keeps the path.
        self.assertEqual(self.ctl("stop", "--graceful", socket_path=self.sock + ".oldbin")[0], 0)
        self.assertEqual(h.wait_exit(), 0, h.log())
        self.assertFalse(os.path.exists(self.sock + ".oldbin"))
        self.assertEqual(self.status()["pid"], new)


if __name__ == "__main__":
    main()
