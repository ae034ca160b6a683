"""test_drain.py: graceful stops lose nothing under keep-alive load.

Each check runs a KeepAliveLoad (several keep-alive connections, GETs and
POSTs whose 3000-byte bodies hello leaves unread, back to back) through one
kind of graceful stop and asserts that no request was lost: every request
sent got its answer, and every connection the server closed had been told
so (Connection: close) first. Run for gthread and async, the worker types
that keep connections alive; sync closes after every response.

The stops: reloads (HUP), TTOU, max_requests recycling, TERM (the load then
finds nothing listening: refused, which is no lost request), and USR2 with
TERM to the old arbiter. For a reload, the old generation must also be gone
soon after: within keep-alive time plus a margin, since active clients are
each told to leave with their next answer.

Also the probes for load balancers (every worker type): health_path and
ready_path answered by the worker type, health turning 503 on TERM while
shutdown_delay keeps the app serving, then a clean exit.
"""

import os
import signal
import sys

from harness import HornetTestCase, KeepAliveLoad, Load, children_of, http_get, main, stop_arbiter, wait_until

KEEPALIVE = 2.0


def read_pid(path):
    """The pid in the file, or None while there is none (an upgrade renames
    the old one before the new arbiter writes its own)."""
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None
RELOADED = r"Reloaded: now serving generation"


class DrainCase(HornetTestCase):
    KIND = None
    ARGS = ()

    def start_hornet(self, *args, workers=2):
        return self.daemon(["-k", self.KIND, *self.ARGS, "--keep-alive", f"{KEEPALIVE:g}s",
                            "--graceful-timeout", "15s", *args, "hello"], workers=workers, graceful=None)

    def assertNothingLost(self, load, at_least=50, h=None):
        name = f"{self.KIND} {self.id().split('.')[-1]}"
        told, refused = getattr(load, "told", 0), getattr(load, "refused", 0)  # a Load closes every time
        print(f"{name}: {load.ok} answered, {told} told to close, {refused} refused, "
              f"{len(load.failures)} lost", file=sys.stderr)
        log = f"\n--- the server's log:\n{h.log()}" if h else ""  # when and where, for a lost request
        self.assertEqual(load.failures, [], f"{len(load.failures)} requests lost, e.g. {load.failures[:3]}{log}")
        self.assertGreaterEqual(load.ok, at_least, "the load hardly ran")

    def more_traffic(self, load, n=100):
        served = load.served()
        self.assertTrue(wait_until(lambda: load.served() >= served + n, 10), "the load stalled")

    def test_reloads_lose_no_request(self):
        h = self.start_hornet()
        with KeepAliveLoad(h.port) as load:
            for i in range(1, 4):
                self.more_traffic(load)
                os.kill(h.pid, signal.SIGHUP)
                self.assertEqual(len(h.wait_log(RELOADED, i)), i, h.log())
                # The old generation leaves within keepalive (clients are active).
                self.assertEqual(len(h.wait_log(r"Retired generation", i, timeout=KEEPALIVE + 8)), i, h.log())
            self.more_traffic(load)
        self.assertNothingLost(load, h=h)
        self.assertGreater(load.told, 0, "no client was told to leave its old worker")

    def test_reloads_under_new_connections_lose_no_request(self):
        # A new connection per request: the old workers' accepts race their
        # stop, and a connection accepted as the stop began must be served.
        h = self.start_hornet()
        with Load(h.port, threads=6) as load:
            for i in range(1, 6):
                self.more_traffic(load)
                os.kill(h.pid, signal.SIGHUP)
                self.assertEqual(len(h.wait_log(RELOADED, i)), i, h.log())
            self.more_traffic(load)
        self.assertNothingLost(load, h=h)

    def test_ttou_loses_no_request(self):
        h = self.start_hornet(workers=3)
        with KeepAliveLoad(h.port) as load:
            self.more_traffic(load)
            os.kill(h.pid, signal.SIGTTOU)
            self.assertTrue(wait_until(lambda: len(h.workers()) == 2, KEEPALIVE + 8), h.log())
            self.more_traffic(load)
        self.assertNothingLost(load, h=h)

    def test_max_requests_recycling_loses_no_request(self):
        h = self.start_hornet("--max-requests", "150")
        with KeepAliveLoad(h.port) as load:
            self.assertTrue(h.wait_log(r"\(max_requests\): replacing it", 3, timeout=30), h.log())
            self.more_traffic(load)
        self.assertNothingLost(load, h=h)
        self.assertGreater(load.told, 0)

    def test_term_loses_no_request(self):
        h = self.start_hornet()
        with KeepAliveLoad(h.port) as load:
            self.more_traffic(load)
            os.kill(h.pid, signal.SIGTERM)
            self.assertEqual(h.wait_exit(KEEPALIVE + 10), 0, h.log())
        self.assertNothingLost(load, h=h)
        self.assertGreater(load.told, 0, "no client was told the worker leaves")

    def test_usr2_then_term_to_the_old_arbiter_loses_no_request(self):
        pidfile = os.path.join(self.tmp, "hornet.pid")
        h = self.start_hornet("--pid", pidfile)
        old = h.pid
        with KeepAliveLoad(h.port) as load:
            self.more_traffic(load)
            os.kill(old, signal.SIGUSR2)
            new = int(wait_until(lambda: read_pid(pidfile) not in (None, old) and read_pid(pidfile), 10))
            self.addCleanup(stop_arbiter, new)
            self.assertTrue(wait_until(lambda: len(children_of(new)) == 2, 10), h.log())
            self.assertTrue(h.wait_log(rf"\[{new}\] .*Worker with pid \d+ is ready|\[{new}\] \[INFO\] Booting worker",
                                       2), h.log())
            os.kill(old, signal.SIGTERM)
            self.assertEqual(h.wait_exit(KEEPALIVE + 10), 0, h.log())
            self.more_traffic(load)
        self.assertNothingLost(load, h=h)
        self.assertEqual(load.refused, 0, "the new arbiter's listeners were shut with the old arbiter")


class ProbeCase(HornetTestCase):
    """health_path, ready_path and shutdown_delay, for load balancers: the
    worker type answers the probes itself, before the app."""

    KIND = None
    ARGS = ()
    APP = "hello"

    def get(self, port, path):
        return http_get(port, path)

    def test_probes_and_shutdown_delay(self):
        delay = 2.0
        h = self.daemon(["-k", self.KIND, *self.ARGS, "--health-path", "/healthz", "--ready-path", "/readyz",
                         "--shutdown-delay", f"{delay:g}s", self.APP], workers=2, graceful=None)
        self.assertTrue(wait_until(lambda: self.get(h.port, "/readyz") == (200, b"ok\n"), 10), h.log())
        self.assertEqual(self.get(h.port, "/healthz"), (200, b"ok\n"))
        self.assertEqual(self.get(h.port, "/healthz?probe=1")[0], 200)  # the path, not the target
        self.assertEqual(self.get(h.port, "/")[0], 200)
        os.kill(h.pid, signal.SIGTERM)
        self.assertTrue(wait_until(lambda: self.get(h.port, "/healthz")[0] == 503, 5), h.log())
        self.assertEqual(self.get(h.port, "/readyz")[0], 503)
        # The delay serves on: a client that stops at the first 503 lost nothing.
        self.assertEqual(self.get(h.port, "/")[0], 200, "the app stopped before shutdown_delay was over")
        self.assertTrue(h.wait_log(r"Stopping in 2000 ms: health checks fail meanwhile"), h.log())
        self.assertEqual(h.wait_exit(delay + 10), 0, h.log())
        self.assertTrue(h.wait_log(r"Handling signal: term"), h.log())


class SyncProbes(ProbeCase):
    KIND = "sync"


class GthreadProbes(ProbeCase):
    KIND = "gthread"
    ARGS = ("--threads", "4")


class AsyncProbes(ProbeCase):
    KIND = "async"


class AsyncProbesBesideABlockingApp(ProbeCase):
    # echo runs on the pool; the probes never leave the loop.
    KIND = "async"
    APP = "echo"


class UringProbes(ProbeCase):
    KIND = "uring"


class GthreadDrain(DrainCase):
    KIND = "gthread"
    ARGS = ("--threads", "4")


class AsyncDrain(DrainCase):
    KIND = "async"


class UringDrain(DrainCase):
    KIND = "uring"


del DrainCase, ProbeCase  # the checks run only through a worker type

if __name__ == "__main__":
    main()
