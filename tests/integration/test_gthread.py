"""test_gthread.py: the gthread worker type and the sleep app, against the
real daemon: concurrency of the handler threads, keep-alive (many requests
on one connection, idle connections closed after keepalive), pipelining,
the worker_connections cap, PENDING apps, the thread-safety refusal,
graceful and fast stops, max_requests, and no thread or fd leak.

Timings are only ever asserted with wide margins (a serial run against a
concurrent one), never tightly: the machine is shared."""

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
import unittest

import harness
from harness import HornetTestCase, run_once, wait_until

CC = shutil.which("cc") or shutil.which("gcc")

# handle() starts the response and writes its body on the handler thread,
# returns PENDING, and another thread finishes it 50 ms later: the handler
# thread must wait for that finish(). FLAGS 0 builds a thread-unsafe twin.
PENDING_APP = r"""
#define _POSIX_C_SOURCE 200809L
#include <hornet/app.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#ifndef FLAGS
#define FLAGS HORNET_APP_THREAD_SAFE
#endif

struct job { hornet_exchange_t *x; const hornet_exchange_ops_t *ops; };

static void *finish_later(void *p)
{
    struct job j = *(struct job *)p;
    struct timespec ts = { 0, 50000000L };
    free(p);
    nanosleep(&ts, NULL);
    j.ops->finish(j.x, 0);
    return NULL;
}

static int create(const hornet_host_t *host, void **instance, char *err, size_t cap)
{
    (void)host; (void)err; (void)cap;
    *instance = NULL;
    return 0;
}

static void destroy(void *instance) { (void)instance; }

static int handle(void *instance, hornet_exchange_t *x, const hornet_exchange_ops_t *ops)
{
    static const char body[] = "finished later\n";
    hornet_header_t h[1] = { { { "Content-Length", 14 }, { "15", 2 } } };
    struct job *j = malloc(sizeof *j);
    pthread_t t;
    (void)instance;
    ops->start(x, 200, h, 1);
    ops->write(x, body, sizeof body - 1);
    if (!j) { ops->finish(x, HORNET_ENOMEM); return HORNET_DONE; }
    j->x = x;
    j->ops = ops;
    if (pthread_create(&t, NULL, finish_later, j) != 0) {
        free(j);
        ops->finish(x, 0);
        return HORNET_DONE;
    }
    pthread_detach(t);
    return HORNET_PENDING;
}

static const hornet_app_t app = {
    HORNET_HEAD_INIT(hornet_app_t), "pending", "0.0.1", FLAGS,
    create, destroy, NULL, NULL, handle
};

HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t a, uint32_t b)
{
    (void)a; (void)b;
    return &app;
}
"""


class Apps:
    """The test apps, compiled once per module against the real headers."""
    dir = None

    @classmethod
    def path(cls, name):
        if cls.dir is None:
            if not CC:
                raise unittest.SkipTest("no C compiler")
            cls.dir = tempfile.mkdtemp(prefix="hornet-gthread-apps-", dir=harness.TMP_ROOT)
            for out, flags in (("pending", []), ("unsafe", ["-DFLAGS=0"])):
                cmd = [CC, "-std=c99", "-Wall", "-shared", "-fPIC", "-pthread", "-I",
                       harness.INCLUDE_DIR, *flags, "-x", "c", "-", "-o",
                       os.path.join(cls.dir, out + ".so")]
                r = subprocess.run(cmd, input=PENDING_APP.encode(), capture_output=True, timeout=60)
                if r.returncode != 0:
                    raise AssertionError(f"test app build failed: {cmd}\n{r.stderr.decode()}")
        return os.path.join(cls.dir, name + ".so")


def tearDownModule():
    if Apps.dir:
        shutil.rmtree(Apps.dir, True)


# ------------------------------------------------------------------ helpers


# Shared with test_async.py (harness.py).
read_response = harness.recv_response
keep_alive_get = harness.keep_alive_get
wait_closed = harness.wait_closed


def thread_count(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"(?m)^Threads:\s+(\d+)", f.read()).group(1))


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def sockets(pid):
    """The socket:[inode] links among pid's fds."""
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if link.startswith("socket:"):
            out.add(link)
    return out


def fd_listing(pid):
    """`ls -l /proc/PID/fd` and the socket states: what an fd count is made of."""
    lines = []
    for fd in sorted(os.listdir(f"/proc/{pid}/fd"), key=int):
        try:
            lines.append(f"{fd} -> {os.readlink(f'/proc/{pid}/fd/{fd}')}")
        except OSError as e:
            lines.append(f"{fd} -> ({e})")
    try:
        ss = subprocess.run(["ss", "-tanp"], capture_output=True, text=True, timeout=10).stdout
        lines += [l for l in ss.splitlines() if f"pid={pid}," in l]
    except (OSError, subprocess.SubprocessError):
        pass
    return "\n".join(lines)


def in_app_sleep(pid):
    """Is a thread of pid inside nanosleep (the sleep app at work)? None: /proc cannot tell."""
    seen = False
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/wchan") as f:
                wchan = f.read()
        except OSError:
            continue
        seen = seen or wchan not in ("", "0")
        if "nanosleep" in wchan:
            return True
    return False if seen else None


class GthreadTestCase(HornetTestCase):

    def gthread(self, app, *extra, workers=1, threads=8):
        return self.daemon(["-k", "gthread", "--threads", threads, *extra, app], workers=workers)

    def worker_pid(self, h):
        pids = wait_until(h.workers, 10.0)
        self.assertEqual(len(pids), 1, pids)
        return next(iter(pids))

    def wait_in_app(self, h):
        """Until the worker's handler thread sleeps in the app (bounded)."""
        pid = self.worker_pid(h)
        if wait_until(lambda: in_app_sleep(pid) is not False, 10.0) is None:
            time.sleep(0.3)  # this kernel hides wchan: give the request time to arrive


# -------------------------------------------------------------------- tests


class ConcurrencyTest(GthreadTestCase):

    def test_sixteen_sleeps_on_eight_threads_take_two_rounds(self):
        h = self.gthread("sleep", threads=8)
        results = []

        def one():
            c = http.client.HTTPConnection("127.0.0.1", h.port, timeout=30)
            try:
                c.request("GET", "/?ms=300")
                r = c.getresponse()
                results.append((r.status, r.read()))
            finally:
                c.close()

        clients = [threading.Thread(target=one) for _ in range(16)]
        t0 = time.monotonic()
        for t in clients:
            t.start()
        for t in clients:
            t.join(60)
        elapsed = time.monotonic() - t0
        self.assertEqual(results, [(200, b"slept 300 ms\n")] * 16)
        # Serial would be 16 x 0.3 = 4.8 s; two rounds 0.6 s. Half of serial
        # is a wide margin for a loaded machine and still proves concurrency.
        self.assertLess(elapsed, 16 * 0.3 / 2, "the requests did not run concurrently")

    def test_pending_app_is_finished_from_another_thread(self):
        h = self.gthread(Apps.path("pending"), threads=2)
        c = http.client.HTTPConnection("127.0.0.1", h.port, timeout=10)
        for _ in range(3):  # on one connection: the handler returned it each time
            c.request("GET", "/")
            r = c.getresponse()
            self.assertEqual((r.status, r.read()), (200, b"finished later\n"))
        c.close()


class KeepAliveTest(GthreadTestCase):

    def test_one_connection_carries_100_requests(self):
        h = self.gthread("hello", threads=2)
        with socket.create_connection(("127.0.0.1", h.port), timeout=10) as s:
            for i in range(100):
                head, body, rest = keep_alive_get(s, f"/{i}")
                self.assertRegex(head, r"^HTTP/1\.1 200 ")
                self.assertNotRegex(head, r"(?i)connection:\s*close")
                self.assertEqual((body, rest), (b"Hello, World!\n", b""))

    def test_idle_connection_is_closed_after_keepalive(self):
        h = self.gthread("hello", "--keep-alive", "1s", threads=2)
        with socket.create_connection(("127.0.0.1", h.port), timeout=10) as s:
            keep_alive_get(s)
            closed_after = wait_closed(s, 15.0)
        self.assertIsNotNone(closed_after, "the idle connection was never closed")
        self.assertGreater(closed_after, 0.5, "closed long before keepalive")
        self.assertLess(closed_after, 10.0)

    def test_pipelined_requests_are_answered_in_order(self):
        h = self.gthread("sleep", threads=4)
        with socket.create_connection(("127.0.0.1", h.port), timeout=10) as s:
            s.sendall(b"GET /?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n"
                      b"GET /?ms=1 HTTP/1.1\r\nHost: t\r\n\r\n")
            _, first, rest = read_response(s)
            _, second, rest = read_response(s, rest)
        self.assertEqual((first, second, rest), (b"slept 200 ms\n", b"slept 1 ms\n", b""))

    def test_worker_connections_cap_leaves_the_rest_in_the_backlog(self):
        h = self.gthread("hello", "--worker-connections", 2, "--keep-alive", "30s", threads=1)
        first = [socket.create_connection(("127.0.0.1", h.port), timeout=10) for _ in range(2)]
        try:
            for s in first:
                keep_alive_get(s)
            with socket.create_connection(("127.0.0.1", h.port), timeout=10) as third:
                third.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                third.settimeout(0.5)
                with self.assertRaises(socket.timeout, msg="served past worker_connections"):
                    third.recv(100)
                first.pop().close()  # one slot frees: the third is accepted
                third.settimeout(10)
                head, body, _ = read_response(third)
                self.assertEqual(body, b"Hello, World!\n")
        finally:
            for s in first:
                s.close()


class AppCheckTest(GthreadTestCase):

    def test_thread_unsafe_app_is_refused_with_threads(self):
        rc, _, err = run_once(["-b", "127.0.0.1:0", "-k", "gthread", "--threads", "4",
                               Apps.path("unsafe")], self.tmp)
        self.assertEqual(rc, 1, err)
        line = self.assertOneErrorLine(err, "gthread", "cannot run app", "thread-safe")
        self.assertIn("threads: 1", line)
        self.assertIn("sync", line)
        self.assertNotIn("Booting worker", err)

    def test_thread_unsafe_app_runs_on_one_thread(self):
        h = self.gthread(Apps.path("unsafe"), threads=1)
        status, _, body = self.get(h)
        self.assertEqual((status, body), (200, b"finished later\n"))


class SleepAppTest(GthreadTestCase):

    def test_bad_ms_is_400(self):
        h = self.gthread("sleep", threads=2)
        for query in ("ms=abc", "ms=", "ms=60001", "ms=-1", "a=1&ms=1x"):
            status, _, body = self.get(h, "/?" + query)
            self.assertEqual(status, 400, query)
            self.assertIn(b"bad ms", body)
        status, _, body = self.get(h, "/?a=b&ms=7")
        self.assertEqual((status, body), (200, b"slept 7 ms\n"))

    def test_default_ms_from_app_config(self):
        conf = os.path.join(self.tmp, "hornet.yaml")
        with open(conf, "w") as f:
            f.write("app: sleep\nworker_class: sync\napp_config:\n  ms: 5\n")
        h = self.daemon(["-c", conf], workers=1)
        status, _, body = self.get(h)
        self.assertEqual((status, body), (200, b"slept 5 ms\n"))


class StopTest(GthreadTestCase):

    def test_graceful_stop_finishes_in_flight_and_closes_idle_at_once(self):
        h = self.gthread("sleep", threads=4)
        harness.check_graceful_stop(self, h, self.wait_in_app)

    def test_fast_stop_closes_idle_connections(self):
        h = self.gthread("hello", threads=2)
        with socket.create_connection(("127.0.0.1", h.port), timeout=10) as s:
            keep_alive_get(s)
            os.kill(h.pid, signal.SIGINT)
            self.assertIsNotNone(wait_closed(s, 10.0), "the connection outlived a fast stop")
        self.assertIsNotNone(h.wait_exit(15.0), h.log())

    def test_max_requests_recycles_the_worker_without_failing_a_request(self):
        h = self.gthread("hello", "--max-requests", 20, threads=2)
        first = self.worker_pid(h)
        for _ in range(60):
            # A new connection each: a request sent on an idle keep-alive
            # connection just as its worker leaves is a race every HTTP client
            # must retry, and http.client does not.
            status, _, body = self.get(h, headers={"Connection": "close"})
            self.assertEqual((status, body), (200, b"Hello, World!\n"))
        self.assertGreaterEqual(len(h.wait_log(harness.BOOT_RE.pattern, 2)), 2, h.log())
        self.assertTrue(wait_until(lambda: first not in h.workers(), 10.0), h.log())


class LeakTest(GthreadTestCase):

    def test_threads_and_fds_are_steady_over_10000_requests(self):
        h = self.gthread("hello", threads=4)
        pid = self.worker_pid(h)
        listeners = sockets(pid)  # before any request: no connection yet

        def connections():  # client connections the worker still holds open
            return sockets(pid) - listeners

        def load(total, per_connection=50, clients=4):
            answered, errors = [], []

            def run(n):
                sent = done = 0
                try:
                    while sent < n:  # a new connection every per_connection requests
                        with socket.create_connection(("127.0.0.1", h.port), timeout=10) as s:
                            for _ in range(min(per_connection, n - sent)):
                                _, body, _ = keep_alive_get(s)
                                sent += 1
                                done += body == b"Hello, World!\n"
                except (OSError, AssertionError) as e:
                    errors.append(repr(e))
                answered.append(done)

            ts = [threading.Thread(target=run, args=(total // clients,)) for _ in range(clients)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(120)
            self.assertEqual((sum(answered), errors), (total, []))

        def settled():  # the clients have closed; the worker follows within a moment
            return wait_until(lambda: not connections(), 10.0)

        # One request first, so that whatever the first request opens for
        # good is open. The client has its whole response (Content-Length)
        # before the worker closes the socket: count only once it has.
        self.get(h, headers={"Connection": "close"})
        self.assertTrue(settled(), f"a Connection: close exchange still open:\n{fd_listing(pid)}")
        at_rest = fd_count(pid)

        load(100)
        self.assertTrue(settled(), f"connections open after 100 requests:\n{fd_listing(pid)}")
        self.assertLessEqual(fd_count(pid), at_rest, fd_listing(pid))
        baseline = (thread_count(pid), fd_count(pid))
        baseline_fds = fd_listing(pid)
        load(10000)
        settled()
        self.assertEqual((thread_count(pid), fd_count(pid)), baseline,
                         "threads, fds after 10 000 requests against after the first 100\n"
                         f"baseline fds:\n{baseline_fds}\nnow:\n{fd_listing(pid)}\n--- log:\n{h.log()}")
        self.assertEqual(baseline[0], 1 + 4)  # the poller and 4 handler threads


if __name__ == "__main__":
    harness.main()
