"""test_contract.py: what every worker type owes, run once per worker type.

One suite, parameterized: ContractCase holds the checks and each of
SyncContract, GthreadContract and AsyncContract runs all of them with that
type's expectations (KEEPALIVE: sync closes after each response, by design;
REFUSES_UNSAFE: a thread-unsafe app on many threads is refused before any
fork). The behaviours:

- keep-alive: 100 requests on one connection; pipelined requests answered
  in order; an idle connection closed after `keepalive` (sync: a connection
  closed after its one response);
- a body the app leaves unread (Content-Length, chunked with extensions and
  trailers, thousands of small chunks, 256 KiB) is dropped and the request
  pipelined behind it answered on the same connection; one over
  max_discard is answered with Connection: close; 8 MiB unread is never a
  reset that eats the response (sync too);
- a 10 MiB chunked upload echoed byte for byte (echo, which answers while it
  reads);
- a thread-unsafe app with threads: 4 refused with one line (sync runs it);
- graceful stop (TERM) drains: a request sent on an idle keep-alive
  connection after the stop is answered with Connection: close; an idle
  connection is not closed at once (a request may be on its way) but within
  `keepalive`; a request still in the app is answered, with Connection:
  close; exit 0;
- fast stop (INT, QUIT): a request whose app waits on the body is cut
  within 2 s and the arbiter is gone within 5 s, where a graceful stop
  would wait for the body (30 s of graceful_timeout);
- graceful_timeout, then KILL: a request that finishes within the grace is
  answered; one stuck in the app is cut no earlier than graceful_timeout and
  long before it would finish, and the arbiter exits.

The probe app (tests/fixtures/probe_app.c) tells when a request is in the
app (/wait creates a file) and holds it there until the test lets it go:
no sleeps stand in for "the request has arrived".
"""

import hashlib
import os
import select
import signal
import time

import harness
import http_wire as wire
from harness import (HornetTestCase, keep_alive_get, open_reader, read_response, run_once, split_echo,
                     wait_closed, wait_until)

FIXTURES = os.environ.get("HORNET_FIXTURE_DIR", "")
UNSAFE_APP = os.path.join(FIXTURES, "broken_none.so")  # loads, serves, declares no flag
HELLO = b"Hello, World!\n"


class ContractCase(HornetTestCase):
    """The checks; a subclass names the worker type and its expectations."""

    KIND = None
    KEEPALIVE = True         # keeps a connection open between requests
    REFUSES_UNSAFE = True    # refuses a thread-unsafe app when threads > 1
    ARGS = ()                # what makes a small daemon of this type
    BLOCKING_ARGS = ()       # added when blocking apps must run side by side (async's pool)

    def start(self, app, *extra, workers=1):
        return self.daemon(["-k", self.KIND, *self.ARGS, *extra, app], workers=workers)

    # -------------------------------------------------------- keep-alive

    def test_keep_alive_series_of_100_requests(self):
        h = self.start("hello")
        with open_reader(h.port) as r:
            if not self.KEEPALIVE:
                resp = keep_alive_get(r, "/0")
                self.assertEqual((resp.status, resp.body), (200, HELLO))
                self.assertEqual(resp.headers.get("connection"), "close")
                self.assertTrue(wire.closed(r), "sync kept the connection open")
                return
            for i in range(100):
                resp = keep_alive_get(r, f"/{i}")
                self.assertRegex(resp.head, r"^HTTP/1\.1 200 ")
                self.assertNotRegex(resp.head, r"(?i)connection:\s*close")
                self.assertRegex(resp.head, r"(?im)^date: ")
                self.assertEqual((resp.body, r.buf), (HELLO, b""))

    def test_pipelined_requests_are_answered_in_order(self):
        h = self.start("sleep")
        with open_reader(h.port) as r:
            r.sock.sendall(b"GET /?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n"
                           b"GET /?ms=1 HTTP/1.1\r\nHost: t\r\n\r\n")
            first = read_response(r)
            if not self.KEEPALIVE:  # the first answered, then the close
                self.assertEqual((first.body, first.headers.get("connection")), (b"slept 200 ms\n", "close"))
                self.assertTrue(wire.closed(r))
                return
            second = read_response(r)
            self.assertEqual((first.body, second.body, r.buf), (b"slept 200 ms\n", b"slept 1 ms\n", b""))

    # ---------------------------------------------- bodies the app leaves

    PIPELINED_POSTS = (
        b"POST /cl HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world",
        b"POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\nA;x\r\n0123456789\r\n1A\r\n" + b"z" * 26 + b"\r\n"
        b"0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n",
        b"POST /many HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"1\r\nq\r\n" * 3000 + b"0\r\n\r\n",
    )

    def test_a_body_the_app_leaves_unread_does_not_end_the_connection(self):
        # hello never reads a body: what it leaves is dropped, and the request
        # pipelined behind it in the same write is answered too.
        h = self.start("hello")
        for post in self.PIPELINED_POSTS:
            with open_reader(h.port) as r:
                r.sock.sendall(post + b"GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
                first = read_response(r)
                self.assertEqual((first.status, first.body), (200, HELLO), post[:30])
                if not self.KEEPALIVE:
                    self.assertEqual(first.headers.get("connection"), "close")
                    continue
                self.assertIsNone(first.headers.get("connection"), f"{post[:30]!r}: {first.head}")
                second = read_response(r)
                self.assertEqual((second.status, second.body, r.buf), (200, HELLO, b""), post[:30])
                self.assertEqual(keep_alive_get(r, "/still-open").status, 200)

    def test_an_unread_256_kib_body_then_a_request(self):
        h = self.start("hello")
        body = b"b" * (256 * 1024)
        with open_reader(h.port) as r:
            r.sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            first = read_response(r)
            self.assertEqual(first.body, HELLO)
            if not self.KEEPALIVE:
                self.assertTrue(wire.closed(r))
                return
            self.assertEqual(keep_alive_get(r, "/after").body, HELLO)

    def test_a_body_over_max_discard_is_answered_with_connection_close(self):
        h = self.start("hello", "--max-discard", "64KiB")
        with open_reader(h.port) as r:
            r.sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" + b"c" * 4096)
            resp = read_response(r)
            self.assertEqual((resp.status, resp.body, resp.headers.get("connection")), (200, HELLO, "close"))
            self.assertTrue(wire.closed(r), "a Connection: close response did not close")

    def test_a_large_unread_body_does_not_reset_the_response(self):
        # The client sends 8 MiB the app never reads and only then reads the
        # answer: the close after it must not be a reset that eats it.
        h = self.start("hello")
        size = 8 << 20
        with open_reader(h.port, timeout=30) as r:
            r.sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % size)
            sent = 0
            try:
                while sent < size:
                    sent += r.sock.send(b"d" * min(65536, size - sent))
            except OSError:
                pass  # the server may stop reading once it has answered
            resp = read_response(r)
            self.assertEqual((resp.status, resp.body), (200, HELLO))

    def test_idle_connection_is_closed_after_keepalive(self):
        h = self.start("hello", "--keep-alive", "1s")
        with open_reader(h.port) as r:
            keep_alive_get(r)
            closed_after = wait_closed(r, 15.0)
        self.assertIsNotNone(closed_after, "the idle connection was never closed")
        if not self.KEEPALIVE:
            self.assertLess(closed_after, 1.0, "sync held the connection after its response")
            return
        self.assertGreater(closed_after, 0.5, "closed long before keepalive")
        self.assertLess(closed_after, 10.0)

    # ------------------------------------------------------------ bodies

    def test_10mib_chunked_upload_echoed_byte_for_byte(self):
        h = self.start("echo", *self.BLOCKING_ARGS)
        size, piece = 10 * 1024 * 1024, 64 * 1024
        payload = os.urandom(size)
        # echo streams the body back while it reads it (see the helper).
        sent, status, body = harness.post_chunked_while_reading(
            h.port, (payload[o:o + piece] for o in range(0, size, piece)),
            {"Content-Type": "application/octet-stream"})
        self.assertEqual(sent, {"ok": True}, "upload did not finish")
        self.assertEqual(status, 200)
        lines, echoed = split_echo(body)
        self.assertEqual(lines[0], "POST /upload HTTP/1.1")
        self.assertTrue(any(l.lower() == "transfer-encoding: chunked" for l in lines), lines)
        self.assertEqual(len(echoed), size)
        self.assertEqual(hashlib.sha256(echoed).hexdigest(), hashlib.sha256(payload).hexdigest())
        self.assertTrue(echoed == payload)
        # and the daemon still serves
        self.assertEqual(self.get(h, "/after", method="POST", body=b"x")[0], 200)

    # --------------------------------------------------------- app check

    def test_thread_unsafe_app_with_threads(self):
        args = ["-b", "127.0.0.1:0", "-k", self.KIND, "--threads", "4", UNSAFE_APP]
        if not self.REFUSES_UNSAFE:  # one request at a time per process: threads do not matter
            h = self.daemon(args[2:], workers=1)
            self.assertEqual(self.get(h)[0], 200)
            return
        rc, _, err = run_once(args, self.tmp)
        self.assertEqual(rc, 1, err)
        line = self.assertOneErrorLine(err, self.KIND, "cannot run app", "thread-safe")
        self.assertIn("threads: 1", line)
        for hint in self.REFUSAL_HINTS:
            self.assertIn(hint, line)
        self.assertNotIn("Booting worker", err)

    REFUSAL_HINTS = ()

    # ------------------------------------------------------------- stops

    def in_app(self, h, name):
        """Send GET /wait on a new connection; return (reader, release file)
        once the request is in the app, held there until release exists
        (10 s at most)."""
        arrived = os.path.join(self.tmp, name + ".arrived")
        release = os.path.join(self.tmp, name + ".release")
        r = open_reader(h.port, timeout=20)
        self.addCleanup(r.close)
        r.sock.sendall(f"GET /wait HTTP/1.1\r\nHost: t\r\nX-Arrived: {arrived}\r\n"
                       f"X-Hold-Until: {release}\r\n\r\n".encode())
        self.assertTrue(wait_until(lambda: os.path.exists(arrived), 10.0),
                        f"the request never reached the app\n{h.log()}")
        return r, release

    def test_graceful_stop_drains_keep_alive_connections(self):
        # keepalive 3 s: the drain's grace. A request may be on its way on any
        # idle connection, so none is closed at once: the next request on
        # each is answered with Connection: close, and one that stays idle
        # is closed once its keep-alive time is up.
        keepalive = 3.0
        h = self.start(wire.PROBE_APP, "--keep-alive", f"{keepalive:g}s", *self.BLOCKING_ARGS)
        asks = waits = None
        if self.KEEPALIVE:
            asks, waits = open_reader(h.port), open_reader(h.port)
            for r in (asks, waits):
                self.addCleanup(r.close)
                self.assertEqual(keep_alive_get(r, "/fixed").body, b"hello")
        busy, release = self.in_app(h, "busy")
        t0 = time.monotonic()
        os.kill(h.pid, signal.SIGTERM)
        if asks is not None:
            h.wait_log("stopping gracefully, draining")  # the worker knows: its answers say close
            resp = keep_alive_get(asks, "/fixed")  # sent while the worker drains
            self.assertEqual((resp.status, resp.body, resp.headers.get("connection")), (200, b"hello", "close"))
            self.assertTrue(wire.closed(asks), "a Connection: close response did not close")
            self.assertEqual(select.select([waits.sock], [], [], 0)[0], [],
                             "an idle connection was closed at once: a request on its way would be lost")
            closed_after = wait_closed(waits, keepalive + 3.0)
            self.assertIsNotNone(closed_after, "the idle connection outlived the drain (keepalive) by 3 s")
            self.assertEqual(select.select([busy.sock], [], [], 0)[0], [],
                             "the in-flight connection was answered or closed before its app returned")
        open(release, "w").close()  # now the app returns
        resp = read_response(busy)
        self.assertEqual((resp.status, resp.body), (200, b"waited\n"))
        self.assertEqual(resp.headers.get("connection"), "close")
        self.assertTrue(wire.closed(busy))
        self.assertEqual(h.wait_exit(15.0), 0, h.log())
        self.assertLess(time.monotonic() - t0, keepalive + 10.0, h.log())

    def check_fast_stop(self, sig):
        h = self.daemon(["-k", self.KIND, *self.ARGS, "--graceful-timeout", "30s", "--body-timeout", "60s",
                         wire.PROBE_APP], workers=1, graceful=None)
        r = open_reader(h.port, timeout=20)
        self.addCleanup(r.close)
        r.sock.sendall(b"POST /read HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        self.assertTrue(r.until(b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue\r\n"))  # the app reads
        r.sock.sendall(b"12345")  # half the body: the app waits for the rest
        t0 = time.monotonic()
        os.kill(h.pid, sig)
        cut_after = wait_closed(r, 10.0)
        self.assertIsNotNone(cut_after, f"{sig.name}: a request waiting on its body outlived a fast stop by 10 s")
        self.assertLess(cut_after, 2.0, f"{sig.name}: the request waiting on its body was not cut at once")
        self.assertIsNotNone(h.wait_exit(10.0), h.log())
        self.assertLess(time.monotonic() - t0, 5.0, f"{sig.name}: the arbiter left slowly\n{h.log()}")

    def test_fast_stop_int_cuts_a_request_in_flight(self):
        self.check_fast_stop(signal.SIGINT)

    def test_fast_stop_quit_cuts_a_request_in_flight(self):
        self.check_fast_stop(signal.SIGQUIT)

    def test_graceful_timeout_then_kill(self):
        grace = 2.0
        h = self.daemon(["-k", self.KIND, *self.ARGS, *self.BLOCKING_ARGS, "--graceful-timeout", f"{grace:g}s",
                         wire.PROBE_APP], workers=1 if self.KEEPALIVE else 2, graceful=None)
        quick, release = self.in_app(h, "quick")
        stuck, _ = self.in_app(h, "stuck")  # never released: held 10 s
        t0 = time.monotonic()
        os.kill(h.pid, signal.SIGTERM)
        # Once the worker knows, its answer says close (sync always does).
        h.wait_log("stopping gracefully, draining" if self.KEEPALIVE else "Handling signal: term")
        open(release, "w").close()
        try:
            resp = read_response(quick)  # within the grace: answered
        except EOFError as e:
            self.fail(f"a request that finished within graceful_timeout was cut: {e}\n{h.log()}")
        self.assertEqual((resp.status, resp.body, resp.headers.get("connection")), (200, b"waited\n", "close"))
        self.assertEqual(stuck.to_eof(), b"", "the stuck request got an answer")
        cut_after = time.monotonic() - t0
        self.assertGreaterEqual(cut_after, grace * 0.9, "cut before graceful_timeout")
        self.assertLess(cut_after, grace + 5.0, "not cut after graceful_timeout (the app holds it 10 s)")
        self.assertIsNotNone(h.wait_exit(10.0), h.log())
        self.assertLess(time.monotonic() - t0, grace + 5.0, h.log())
        # The worker holding the stuck request could not leave by itself: KILLed.
        self.assertEqual(len(h.wait_log("still running after graceful_timeout: killing them", timeout=1)),
                         1, h.log())
        self.assertEqual(len(h.wait_log(r"Worker with pid \d+ was killed by signal 9 \(SIGKILL\)", timeout=1)),
                         1, h.log())


class SyncContract(ContractCase):
    KIND = "sync"
    KEEPALIVE = False
    REFUSES_UNSAFE = False


class GthreadContract(ContractCase):
    KIND = "gthread"
    ARGS = ("--threads", "4")
    REFUSAL_HINTS = ("sync",)


class AsyncContract(ContractCase):
    KIND = "async"
    BLOCKING_ARGS = ("--threads", "2")  # blocking apps run on a pool of this size


class UringContract(ContractCase):
    KIND = "uring"
    BLOCKING_ARGS = ("--threads", "2")  # blocking apps run on a pool of this size


del ContractCase  # the checks run only through a worker type

if __name__ == "__main__":
    harness.main()
