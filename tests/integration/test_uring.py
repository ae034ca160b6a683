"""test_uring.py: what only the uring worker type owes (the rest of its HTTP
and life cycle runs in the shared modules: test_conformance, test_contract,
test_drain, test_async, test_wsgi, test_websocket, each with -k uring).

- Where io_uring is refused (here by a seccomp filter, as a container's
  profile refuses it: tests/fixtures/no_uring), --check-config and a start
  each print one line that names async, exit non-zero, and fork nothing;
  async still serves under the same filter.
- A response that ends the connection (Connection: close) goes out with the
  close linked to it: the client reads the whole answer, then EOF, for many
  connections in a row; the worker's open connections go back to zero.
- The connection cap: with worker_connections 2, a third client waits (its
  connection is not accepted) until one of the first two closes.
- Upgraded connections stay on the ring: 50 idle WebSockets add no thread
  to the worker.
- The workers share the connections: of 50 keep-alive clients, each holding
  its connection, both of 2 workers serve a fair part (a multishot accept
  that never rejoins the listener's queue gives one worker all 50).
"""

import collections
import os
import re
import socket
import subprocess

import harness
from harness import HornetTestCase
from harness import Reader, read_response
from http_wire import wait_for_file_lines
from ws_frames import TEXT, WsClient

NO_URING = os.path.join(os.environ.get("HORNET_FIXTURE_DIR", ""), "no_uring")


def refused_run(*args, timeout=20):
    """hornet under the seccomp filter, to completion (killed by PID if it overstays)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HORNET_")}  # as harness.Hornet does
    return subprocess.run([NO_URING, harness.HORNET_BIN, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL)


class RefusedRingTest(HornetTestCase):

    def setUp(self):
        super().setUp()
        self.assertTrue(os.access(NO_URING, os.X_OK), f"no {NO_URING}: build the fixtures")

    def check_line(self, err):
        line = self.assertOneErrorLine(err, "uring", "io_uring")
        self.assertIn("-k async", line)
        self.assertIn("Operation not permitted", line)
        self.assertNotIn("Booting worker", err)
        return line

    def test_check_config_names_async(self):
        r = refused_run("-b", "127.0.0.1:0", "-k", "uring", "--check-config", "hello")
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.check_line(r.stderr + r.stdout)

    def test_start_names_async_and_async_serves_under_the_same_filter(self):
        r = refused_run("-b", "127.0.0.1:0", "-w", "1", "-k", "uring", "hello")
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.check_line(r.stderr + r.stdout)
        ok = refused_run("-b", "127.0.0.1:0", "-k", "async", "--check-config", "hello")
        self.assertEqual(ok.returncode, 0, ok.stderr)


class UringConnectionTest(HornetTestCase):

    def test_connection_close_responses_end_with_eof(self):
        h = self.daemon(["-k", "uring", "hello"], workers=1)
        for _ in range(50):
            with socket.create_connection(("127.0.0.1", h.port), timeout=10) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                r = Reader(s)
                resp = read_response(r)
                self.assertRegex(resp.head, r"^HTTP/1\.1 200 ")
                self.assertIn("connection: close", resp.head.lower())
                self.assertEqual(s.recv(1), b"", "the connection stayed open after Connection: close")

    def test_a_full_worker_accepts_again_once_a_connection_closes(self):
        h = self.daemon(["-k", "uring", "--worker-connections", "2", "--keep-alive", "30s", "hello"], workers=1)
        first = [socket.create_connection(("127.0.0.1", h.port), timeout=10) for _ in range(2)]
        for s in first:  # both accepted and served: the worker is full
            s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            self.assertRegex(read_response(Reader(s)).head, r"^HTTP/1\.1 200 ")
        third = socket.create_connection(("127.0.0.1", h.port), timeout=10)
        third.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        third.settimeout(0.5)
        with self.assertRaises(socket.timeout):  # queued in the backlog, not served
            third.recv(1)
        first[0].close()
        third.settimeout(10)
        self.assertRegex(read_response(Reader(third)).head, r"^HTTP/1\.1 200 ")
        for s in (first[1], third):
            s.close()


class UringAcceptShareTest(HornetTestCase):
    """Each worker has a multishot accept on the listener; after a loop pass
    that accepted, it cancels and re-arms it, rejoining the listener's wait
    queue behind its sibling. The clients connect one after another, each
    answered before the next connects, so that both workers wait in the
    queue at every connection and the accept's rule alone decides which one
    gets it (in a burst, on a machine with few cores, the worker that has a
    CPU takes what it can, whatever the rule)."""

    CLIENTS = 50

    def test_keep_alive_clients_are_shared_by_both_workers(self):
        log = os.path.join(self.tmp, "access.log")
        h = self.daemon(["-k", "uring", "--keep-alive", "60s", "--access-logfile", log,
                         "--access-logformat", "%(p)s %(U)s", "hello"], workers=2)
        clients = []
        try:
            for i in range(self.CLIENTS):
                s = socket.create_connection(("127.0.0.1", h.port), timeout=10)
                clients.append(s)
                s.sendall(b"GET /client-%d HTTP/1.1\r\nHost: t\r\n\r\n" % i)
                resp = read_response(Reader(s))
                self.assertRegex(resp.head, r"^HTTP/1\.1 200 ")
                self.assertNotIn("connection: close", resp.head.lower())
            lines = wait_for_file_lines(log, self.CLIENTS)
        finally:
            for s in clients:
                s.close()
        served = {}  # client -> the pid of the worker that answered it
        for line in lines:
            m = re.fullmatch(r"<(\d+)> /client-(\d+)", line)
            self.assertIsNotNone(m, f"unexpected access-log line {line!r}")
            served[int(m.group(2))] = int(m.group(1))
        self.assertEqual(sorted(served), list(range(self.CLIENTS)), "a client's request is missing from the log")
        share = collections.Counter(served.values())
        # Taking turns gives 25 and 25; the bound is generous (a fifth each).
        self.assertEqual(len(share), 2, f"one worker served every client: {dict(share)}")
        self.assertGreaterEqual(min(share.values()), self.CLIENTS // 5, f"an unfair share: {dict(share)}")


def threads_of(pid):
    """The process's own threads: not the kernel's io_uring workers
    (iou-wrk-*), which come and go with operations the kernel punts."""
    names = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                names.append(f.read().strip())
        except FileNotFoundError:
            pass  # a thread that just ended
    return len([n for n in names if not n.startswith("iou-")])


class UringWebSocketTest(HornetTestCase):
    """Upgraded connections stay on the ring (the shared cases are in
    test_websocket): idle WebSockets hold no thread."""

    def test_idle_websockets_hold_no_thread(self):
        h = self.daemon(["-k", "uring", "wsecho"], workers=1)
        (worker,) = h.workers()
        self.assertEqual(harness.http_get(h.port, "/")[0], 200)  # the worker is up (its dump thread too)
        before = threads_of(worker)
        clients = [WsClient(h.port) for _ in range(50)]
        try:
            for c in clients:  # all served at once: none holds the thread
                self.assertEqual(c.status, 101)
            for i, c in enumerate(reversed(clients)):
                c.send(TEXT, b"%d" % i)
                self.assertEqual(c.recv_message(), (TEXT, b"%d" % i))
            self.assertEqual(threads_of(worker), before, "an idle WebSocket took a thread")
        finally:
            for c in clients:
                c.close()


if __name__ == "__main__":
    harness.main()
