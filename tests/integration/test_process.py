"""test_process.py: the arbiter as a process supervisor: worker count,
respawn after SIGKILL, TERM/INT stops, unix and IPv6 listeners, pid file."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import harness
from harness import HornetTestCase, UnixHTTPConnection, wait_until


def socket_fds(pid):
    """How many sockets pid holds open."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    n += 1
            except OSError:
                pass
    except OSError:
        pass
    return n


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class WorkersTest(HornetTestCase):

    def assertWorkerCount(self, h, n):
        # Count the arbiter's children; they must settle at n (not more, e.g.
        # from a respawn loop, nor fewer).
        got = wait_until(lambda: len(h.workers()) == n, 10.0)
        self.assertTrue(got, f"want {n} workers, have {sorted(h.workers())}\n{h.log()}")
        self.assertEqual(len(h.boot_pids()), n, h.log())
        self.assertEqual(h.workers(), set(h.boot_pids()))

    def test_worker_count_follows_w(self):
        h = self.daemon(["hello"], workers=3)
        self.assertWorkerCount(h, 3)

    def test_one_worker(self):
        h = self.daemon(["hello"], workers=1)
        self.assertWorkerCount(h, 1)

    def test_workers_from_environment(self):
        h = self.daemon(["hello"], workers=None, env={"HORNET_WORKERS": "3"})
        h.wait_ready(3)
        self.assertWorkerCount(h, 3)

    def test_cli_beats_environment(self):
        h = self.daemon(["-w", "2", "hello"], workers=2, env={"HORNET_WORKERS": "4"})
        self.assertWorkerCount(h, 2)

    def test_sigkilled_worker_is_replaced_while_serving(self):
        h = self.daemon(["hello"], workers=2)
        old = h.workers()
        self.assertEqual(len(old), 2)
        results = {"ok": 0, "errors": [], "ok_after_respawn": 0}
        respawned = threading.Event()
        stop = threading.Event()

        def client_loop():
            # Bounded: at most 2000 requests or 15 s.
            deadline = time.monotonic() + 15
            for _ in range(2000):
                if stop.is_set() or time.monotonic() > deadline:
                    break
                try:
                    status, _, body = self.get(h, timeout=5)
                    if (status, body) == (200, b"Hello, World!\n"):
                        results["ok"] += 1
                        if respawned.is_set():
                            results["ok_after_respawn"] += 1
                    else:
                        results["errors"].append((status, body[:50]))
                except (OSError, http.client.HTTPException) as e:
                    results["errors"].append(repr(e))
                if respawned.is_set() and results["ok_after_respawn"] >= 50:
                    break

        t = threading.Thread(target=client_loop, daemon=True)
        t.start()
        self.assertTrue(wait_until(lambda: results["ok"] >= 20, 10), "no traffic before the kill")
        self.assertNotIn("was killed by signal", h.log(),
                         "a worker died on its own before the kill")
        victim = min(old)
        t0 = time.monotonic()
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            stop.set()
            self.fail(f"worker {victim} died on its own before the test killed it:\n{h.log()}")

        def replaced():
            now = h.workers()
            return victim not in now and len(now) == 2 and (now - old)

        new = wait_until(replaced, 2.0, interval=0.01)
        took = time.monotonic() - t0
        if new:
            respawned.set()
        t.join(20)
        stop.set()
        self.assertTrue(new, f"no replacement worker within 2 s (have {h.workers()})\n{h.log()}")
        self.assertLess(took, 2.5)
        self.assertFalse(t.is_alive())
        # A request that the killed worker had already accepted may die with
        # it; every other one must succeed.
        self.assertLessEqual(len(results["errors"]), 1, results["errors"])
        self.assertGreaterEqual(results["ok_after_respawn"], 50, results)
        # The arbiter says which worker died and how.
        self.assertTrue(h.wait_log(rf"\b{victim}\b.*(KILL|signal:? ?9\b)|(KILL|signal:? ?9\b).*\b{victim}\b",
                                   timeout=5),
                        f"no log line naming pid {victim} and SIGKILL:\n{h.log()}")
        # The new worker logged its boot too.
        for pid in new:
            self.assertIn(pid, h.boot_pids())


class StopTest(HornetTestCase):

    def _stop_with(self, sig):
        h = self.daemon(["hello"], workers=2)
        workers = [h.seen[p] for p in h.workers()]
        self.assertEqual(len(workers), 2)
        self.assertEqual(self.get(h)[0], 200)
        os.kill(h.pid, sig)
        rc = h.wait_exit(15)
        self.assertIsNotNone(rc, f"arbiter still running 15 s after {sig.name}\n{h.log()}")
        self.assertEqual(rc, 0, h.log())
        alive = [w.pid for w in workers if w.alive()]
        self.assertEqual(alive, [], f"workers left after {sig.name}")
        self.assertNotIn("Traceback", h.log())
        return h

    def test_term_is_graceful_and_exits_0(self):
        self._stop_with(signal.SIGTERM)

    def test_int_exits_0(self):
        self._stop_with(signal.SIGINT)

    def test_quit_exits_0(self):
        self._stop_with(signal.SIGQUIT)

    def test_term_waits_for_in_flight_request(self):
        # A slow upload to echo is in flight when TERM arrives: the graceful
        # stop lets it finish (graceful-timeout 5 s).
        h = self.daemon(["--log-level", "debug", "echo"], workers=1)
        (worker,) = h.workers()
        # Counted once it serves: right after fork it still closes what is
        # the arbiter's alone (the control socket).
        self.assertTrue(h.wait_log(rf"Worker with pid {worker} is ready"), h.log())
        before = socket_fds(worker)
        s = socket.create_connection(("127.0.0.1", h.port), timeout=10)
        try:
            s.sendall(b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
            # The worker has the request once it holds one more socket.
            self.assertTrue(wait_until(lambda: socket_fds(worker) > before, 10),
                            "the worker never accepted the connection")
            os.kill(h.pid, signal.SIGTERM)
            # Not a readiness wait: give a wrong (abrupt) stop the time to
            # cut this request off before the rest of the body goes out.
            time.sleep(0.3)
            s.sendall(b"world")
            rest = harness.Reader(s).to_eof()
        finally:
            s.close()
        self.assertRegex(rest, rb"^HTTP/1\.1 200 ")
        self.assertTrue(rest.endswith(b"0\r\n\r\n"),
                        f"response cut off by the stop: ...{rest[-80:]!r}")
        body = harness.dechunk(rest.partition(b"\r\n\r\n")[2])
        self.assertTrue(body.endswith(b"helloworld"), body)
        self.assertEqual(h.wait_exit(15), 0, h.log())


class ListenerTest(HornetTestCase):

    def test_unix_socket(self):
        path = os.path.join(self.tmp, "hornet.sock")
        h = self.daemon(["-b", f"unix:{path}", "hello"], workers=1)
        self.assertIn((f"unix:{path}", h.pid), h.listeners(), h.log())
        c = UnixHTTPConnection(path)
        try:
            c.request("GET", "/")
            r = c.getresponse()
            self.assertEqual((r.status, r.read()), (200, b"Hello, World!\n"))
        finally:
            c.close()
        self.assertTrue(os.path.exists(path))
        os.kill(h.pid, signal.SIGTERM)
        self.assertEqual(h.wait_exit(15), 0, h.log())
        self.assertFalse(os.path.exists(path), "unix socket file left behind")

    def test_unix_socket_with_curl(self):
        curl = shutil.which("curl")
        if not curl:
            self.skipTest("curl not installed")
        path = os.path.join(self.tmp, "c.sock")
        h = self.daemon(["-b", f"unix:{path}", "hello"], workers=1)
        out = subprocess.run([curl, "-sS", "--max-time", "10", "--unix-socket", path,
                              "http://localhost/"], capture_output=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, b"Hello, World!\n")

    def test_stale_unix_socket_file_is_replaced(self):
        # A socket file left by a crashed run (nobody listening) must not
        # stop the next start.
        path = os.path.join(self.tmp, "stale.sock")
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.close()
        self.assertTrue(os.path.exists(path))
        h = self.daemon(["-b", f"unix:{path}", "hello"], workers=1)
        c = UnixHTTPConnection(path)
        try:
            c.request("GET", "/")
            self.assertEqual(c.getresponse().status, 200)
        finally:
            c.close()

    def test_ipv6_loopback(self):
        if not ipv6_loopback():
            self.skipTest(harness.optional("::1 not available"))
        h = self.daemon(["-b", "[::1]:0", "hello"], workers=1)
        url = h.url
        self.assertRegex(url, r"^http://\[::1\]:\d+$")
        status, _, body = self.get(h, host="::1", port=h.port)
        self.assertEqual((status, body), (200, b"Hello, World!\n"))

    def test_two_listeners(self):
        path = os.path.join(self.tmp, "two.sock")
        h = self.daemon(["-b", "127.0.0.1:0", "-b", f"unix:{path}", "hello"],
                        workers=1, listeners=2)
        urls = [u for u, _ in h.listeners()]
        self.assertEqual(len(urls), 2, urls)
        tcp = [u for u in urls if u.startswith("http://")][0]
        status, _, _ = self.get(h, port=harness.port_of(tcp))
        self.assertEqual(status, 200)
        c = UnixHTTPConnection(path)
        try:
            c.request("GET", "/")
            self.assertEqual(c.getresponse().status, 200)
        finally:
            c.close()

    def test_port_in_use_is_one_clear_error(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            h = self.daemon(["-b", f"127.0.0.1:{port}", "hello"], workers=1, ready=False)
            rc = h.wait_exit(30)  # Gunicorn retries binding for a while
            self.assertIsNotNone(rc, h.log())
            self.assertNotEqual(rc, 0)
            self.assertNotIn("Booting worker", h.log())
            # One line (design: user errors get one clear line), not the
            # same error logged and then printed again.
            self.assertOneErrorLine(h.log(), f"127.0.0.1:{port}")


class PidFileTest(HornetTestCase):

    def test_pid_file(self):
        path = os.path.join(self.tmp, "hornet.pid")
        h = self.daemon(["--pid", path, "hello"], workers=1)
        self.assertTrue(wait_until(lambda: os.path.exists(path), 5))
        with open(path) as f:
            self.assertEqual(int(f.read().strip()), h.pid)
        os.kill(h.pid, signal.SIGTERM)
        self.assertEqual(h.wait_exit(15), 0, h.log())
        self.assertFalse(os.path.exists(path), "pid file left behind")


class LogTest(HornetTestCase):

    def test_log_lines_carry_the_pid(self):
        h = self.daemon(["hello"], workers=2)
        pids = [h.pid] + h.boot_pids()
        lines = [l for l in h.log_lines() if l.strip()]
        self.assertTrue(lines)
        for l in lines:
            self.assertTrue(any(re.search(rf"\b{p}\b", l) for p in pids),
                            f"no pid of {pids} in log line {l!r}")
        self.assertTrue(any(str(h.pid) in l and "Listening at" in l for l in lines))

    def test_access_log_file(self):
        path = os.path.join(self.tmp, "access.log")
        h = self.daemon(["--access-logfile", path, "hello"], workers=1)
        self.assertEqual(self.get(h, "/logged?x=1")[0], 200)
        os.kill(h.pid, signal.SIGTERM)
        self.assertEqual(h.wait_exit(15), 0, h.log())
        with open(path) as f:
            text = f.read()
        self.assertRegex(text, r'"GET /logged\?x=1 HTTP/1\.1" 200 ')

    def test_error_logfile(self):
        path = os.path.join(self.tmp, "error.log")
        h = self.daemon(["--error-logfile", path, "hello"], workers=1, ready=False)
        def booted():
            if not os.path.exists(path):
                return False
            with open(path) as f:
                return "Booting worker" in f.read()

        ok = wait_until(booted, 20)
        self.assertTrue(ok, h.log())
        with open(path) as f:
            m = harness.LISTEN_RE.search(f.read())
        self.assertTrue(m)
        self.assertEqual(self.get(h, port=harness.port_of(m.group(1)))[0], 200)


if __name__ == "__main__":
    harness.main()
