"""test_conformance.py: HTTP/1.1 done right, on every worker type.

- The raw-request table (conformance_requests.txt: bytes in, the status
  out, and a close after every error) against the echo app.
- The limits (414, 431, 413 for Content-Length and chunked, 'unlimited')
  and the slow-client timeouts (408 and a close).
- What the app sends (tests/fixtures/probe_app.c): bad header names and
  values and bad statuses become a 500 and a log line, never bytes on the
  wire; a short body closes the connection; HEAD, 204 and 304 carry no body;
  Expect: 100-continue only when the app reads; HTTP/1.0 keep-alive.
Each worker type runs (sync, gthread, async, uring): one that fails to load fails.
"""

import os
import select
import time

import harness
import http_wire as wire
from harness import HornetTestCase

CASES = wire.load_cases()


class WorkerTypes:
    """Runs each test_* of a subclass once per worker type, in subTests."""

    def each_type(self, check, app="echo", extra=()):
        for kind in wire.worker_types():
            with self.subTest(worker=kind):
                h = self.daemon(wire.worker_args(kind) + ["--header-timeout", "5s", *extra, app], workers=1)
                check(kind, h)
                h.stop()


class TableTest(WorkerTypes, HornetTestCase):

    def test_every_case_on_every_worker_type(self):
        self.each_type(self.run_table)

    def run_table(self, kind, h):
        failures = wire.table_failures(h.port, CASES)
        self.assertEqual(failures, [], f"{kind}: {len(failures)} of {len(CASES)} cases\n" + "\n".join(failures))


class LimitsTest(WorkerTypes, HornetTestCase):

    def test_defaults_are_gunicorns(self):
        def check(kind, h):
            line = lambda n: b"GET /" + b"a" * (n - len("GET / HTTP/1.1")) + b" HTTP/1.1\r\nHost: a\r\n\r\n"
            self.assertEqual(wire.exchange(h.port, line(4094))[0].status, 200)
            self.assertEqual(wire.exchange(h.port, line(4095))[0].status, 414)
            fields = lambda n: b"GET / HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(n - 1)) + b"\r\n"
            self.assertEqual(wire.exchange(h.port, fields(100))[0].status, 200)
            self.assertEqual(wire.exchange(h.port, fields(101))[0].status, 431)
            field = lambda n: b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"v" * (n - 3) + b"\r\n\r\n"
            self.assertEqual(wire.exchange(h.port, field(8190))[0].status, 200)
            self.assertEqual(wire.exchange(h.port, field(8191))[0].status, 431)
        self.each_type(check)

    def test_configured_limits(self):
        def check(kind, h):
            self.assertEqual(wire.exchange(h.port, b"GET /" + b"a" * 60 + b" HTTP/1.1\r\nHost: a\r\n\r\n")[0].status, 414)
            many = b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
            self.assertEqual(wire.exchange(h.port, many)[0].status, 431)
            big = b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"v" * 60 + b"\r\n\r\n"
            self.assertEqual(wire.exchange(h.port, big)[0].status, 431)
            for n, want in ((100, 200), (101, 413)):
                post = b"POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % n + b"x" * n
                r, reader = wire.exchange(h.port, post)
                self.assertEqual(r.status, want, r)
                if want == 413:
                    self.assertTrue(wire.closed(reader))
            chunks = lambda n: b"".join(b"a\r\n" + b"x" * 10 + b"\r\n" for _ in range(n)) + b"0\r\n\r\n"
            head = b"POST /read HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            self.assertEqual(wire.exchange(h.port, head + chunks(10))[0].status, 200)
            r, reader = wire.exchange(h.port, head + chunks(11))
            self.assertEqual(r.status, 413)
            self.assertTrue(wire.closed(reader))
        self.each_type(check, app=wire.PROBE_APP,
                       extra=["--limit-request-line", "40", "--limit-request-fields", "3",
                              "--limit-request-field-size", "50", "--limit-request-body", "100"])

    def test_unlimited_body(self):
        def check(kind, h):
            n = 3 * 1024 * 1024
            post = b"POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % n + b"x" * n
            r, _ = wire.exchange(h.port, post, timeout=30)
            self.assertEqual((r.status, r.body), (200, b"read %d\n" % n))
        self.each_type(check, app=wire.PROBE_APP, extra=["--limit-request-body", "unlimited"])


class TimeoutTest(WorkerTypes, HornetTestCase):

    def test_header_timeout_is_408_and_close(self):
        def check(kind, h):
            s = wire.connect(h.port)
            s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")
            started = time.monotonic()
            reader = wire.Reader(s, timeout=15)
            r = wire.read_response(reader)
            self.assertEqual(r.status, 408)
            self.assertLess(time.monotonic() - started, 10)
            self.assertTrue(wire.closed(reader))
        self.each_type(check, extra=["--header-timeout", "1s"])

    def test_trickled_head_still_times_out(self):
        def check(kind, h):
            s = wire.connect(h.port)
            started = time.monotonic()
            reader = wire.Reader(s, timeout=15)
            for b in b"GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + b"x" * 60:
                if select.select([s], [], [], 0.05)[0]:
                    break  # answered: stop before a reset eats the answer
                s.sendall(bytes([b]))
            r = wire.read_response(reader)
            self.assertEqual(r.status, 408)
            self.assertLess(time.monotonic() - started, 10)
        self.each_type(check, extra=["--header-timeout", "1500ms"])

    def test_silent_connection_is_closed_without_an_answer(self):
        # TCP_DEFER_ACCEPT (5 s, which the kernel rounds up to its SYN-ACK
        # retransmits: about 7 s) holds a silent connection back before any
        # worker sees it, then the 1 s header timeout runs: some 8 s in all,
        # far less than the 30 s `timeout` that would close it otherwise.
        def check(kind, h):
            s = wire.connect(h.port)
            reader = wire.Reader(s, timeout=30)
            started = time.monotonic()
            self.assertEqual(reader.to_eof(), b"")
            self.assertLess(time.monotonic() - started, 20)
        self.each_type(check, extra=["--header-timeout", "1s"])

    def test_body_timeout_is_408_and_close(self):
        def check(kind, h):
            s = wire.connect(h.port)
            s.sendall(b"POST /read HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
            reader = wire.Reader(s, timeout=15)
            r = wire.read_response(reader)
            self.assertEqual(r.status, 408)
            self.assertTrue(wire.closed(reader))
        self.each_type(check, app=wire.PROBE_APP, extra=["--body-timeout", "1s"])


class ResponseSideTest(WorkerTypes, HornetTestCase):

    def get(self, h, path, method="GET"):
        return wire.exchange(h.port, f"{method} {path} HTTP/1.1\r\nHost: a\r\n\r\n".encode(),
                             head_request=method == "HEAD")

    def test_bad_heads_from_the_app_are_500_and_a_log_line(self):
        paths = ["/bad/name-crlf", "/bad/value-lf", "/bad/value-cr", "/bad/value-nul", "/bad/value-ctl",
                 "/status/99", "/status/100", "/status/101", "/status/600", "/status/1000", "/status/0"]

        def check(kind, h):
            for path in paths:
                r, reader = self.get(h, path)
                self.assertEqual(r.status, 500, path)
                self.assertNotIn(b"Injected", r.raw_head + r.body, path)
                self.assertNotIn(b"X-Evil", r.raw_head, path)
                self.assertEqual(r.headers.get("connection"), "close", path)
            lines = h.wait_log(r"app probe: .*answering 500", count=len(paths), timeout=10)
            self.assertEqual(len(lines), len(paths), h.log())
            self.assertNotIn("Traceback", h.log())
            self.assertEqual(self.get(h, "/status/599")[0].status, 599)
        self.each_type(check, app=wire.PROBE_APP)

    def test_short_body_closes_the_connection(self):
        def check(kind, h):
            s = wire.connect(h.port)
            s.sendall(b"GET /short HTTP/1.1\r\nHost: a\r\n\r\nGET /fixed HTTP/1.1\r\nHost: a\r\n\r\n")
            reader = wire.Reader(s)
            raw = reader.until(b"\r\n\r\n")
            self.assertIn(b"Content-Length: 10", raw)
            self.assertEqual(reader.to_eof(), b"12345")  # then the close, not the next response
            self.assertTrue(h.wait_log("shorter than its Content-Length", timeout=10),
                            f"{kind}: no log line for the short body\n{h.log()}")
            # Too long: the write is refused, so the promised 3 bytes never come.
            s = wire.connect(h.port)
            s.sendall(b"GET /long HTTP/1.1\r\nHost: a\r\n\r\n")
            reader = wire.Reader(s)
            self.assertIn(b"Content-Length: 3\r\n", reader.until(b"\r\n\r\n"))
            self.assertEqual(reader.to_eof(), b"")
        self.each_type(check, app=wire.PROBE_APP)

    def test_a_complete_body_is_not_held_until_finish(self):
        # The last bytes of a closing response leave with the FIN (sync and
        # gthread send them with MSG_MORE, then half-close): that must not
        # hold them back while the app has yet to call finish().
        def check(kind, h):
            flag = os.path.join(self.tmp, f"finish-{kind}")
            s = wire.connect(h.port, timeout=8)
            s.sendall(f"GET /hold HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Hold-Until: {flag}\r\n\r\n"
                      .encode())
            reader = wire.Reader(s, timeout=5)  # the app holds finish() for 10 s
            head = reader.until(b"\r\n\r\n")
            self.assertIn(b"Content-Length: 5\r\n", head)
            self.assertEqual(reader.exactly(5), b"hello")  # a timeout here: held back
            open(flag, "w").close()
            self.assertEqual(reader.to_eof(), b"")
        self.each_type(check, app=wire.PROBE_APP)

    def test_keep_alive_0_turns_keep_alive_off(self):
        # Gunicorn's rule: keepalive 0 closes the connection after each response.
        def check(kind, h):
            s = wire.connect(h.port)
            s.sendall(b"GET /fixed HTTP/1.1\r\nHost: a\r\n\r\nGET /fixed HTTP/1.1\r\nHost: a\r\n\r\n")
            reader = wire.Reader(s)
            r = wire.read_response(reader)
            self.assertEqual((r.status, r.body, r.headers.get("connection")), (200, b"hello", "close"))
            self.assertEqual(reader.to_eof(), b"")  # the second request is not answered
        self.each_type(check, app=wire.PROBE_APP, extra=("--keep-alive", "0"))

    def test_head_204_304_carry_no_body(self):
        def check(kind, h):
            for request, want in ((b"HEAD /fixed HTTP/1.1", 200), (b"HEAD /stream HTTP/1.1", 200),
                                  (b"GET /nobody/204 HTTP/1.1", 204), (b"GET /nobody/304 HTTP/1.1", 304),
                                  (b"HEAD /nobody/304 HTTP/1.1", 304)):
                s = wire.connect(h.port)
                # A second request right behind: its answer must follow the head at once.
                s.sendall(request + b"\r\nHost: a\r\n\r\nGET /fixed HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                reader = wire.Reader(s)
                head = reader.until(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 %d " % want), head)
                self.assertNotIn(b"transfer-encoding", head.lower())
                rest = reader.to_eof()
                if want == 204:
                    self.assertNotIn(b"content-length", head.lower())
                if kind == "sync":
                    self.assertEqual(rest, b"", request)  # sync closes after one
                else:
                    self.assertTrue(rest.startswith(b"HTTP/1.1 200 "), (request, rest[:80]))
                    self.assertTrue(rest.endswith(b"\r\n\r\nhello"), (request, rest[-80:]))
        self.each_type(check, app=wire.PROBE_APP)

    def test_trailers_follow_the_last_chunk_for_te_trailers(self):
        # ABI 1.6's trailers op, from a pool or handler thread (probe) and,
        # on async and uring, from the loop (probe_loop): the fields come
        # after the last chunk only when the client said TE: trailers; a
        # framing field is refused with a log line; no TE, HTTP/1.0 (no
        # chunks) and HEAD drop them, and the app's calls still succeed.
        def ask(h, extra, line=b"GET /trailers HTTP/1.1"):
            head = line.startswith(b"HEAD")
            r, reader = wire.exchange(h.port, line + b"\r\nHost: a\r\n" + extra + b"\r\n", head_request=head)
            reader.close()
            return r

        def check(kind, h):
            r = ask(h, b"TE: gzip;q=0.5, trailers\r\n")
            self.assertEqual((r.status, r.body), (200, b"one,0,0,-22\n"), kind)
            self.assertEqual(r.headers.get("trailer"), "X-Checksum, X-Status")
            self.assertEqual(r.trailers, {"x-checksum": "c1", "x-status": "done"}, kind)
            self.assertTrue(h.wait_log(r"app probe: trailer field \"Content-Length\" cannot be a trailer", timeout=10))
            r = ask(h, b"")
            self.assertEqual((r.body, r.trailers), (b"one,0,0,-22\n", {}), kind)
            self.assertEqual(ask(h, b"TE: trailers\r\n", line=b"HEAD /trailers HTTP/1.1").status, 200)
            r = ask(h, b"TE: trailers\r\n", line=b"GET /trailers HTTP/1.0")
            self.assertEqual((r.body, r.trailers), (b"one,0,0,-22\n", {}), kind)  # until the close
        self.each_type(check, app=wire.PROBE_APP)
        loop_probe = os.path.join(wire.FIXTURE_DIR, "probe_loop.so")
        for kind in ("async", "uring"):
            with self.subTest(worker=kind, app="probe_loop"):
                h = self.daemon(wire.worker_args(kind) + [loop_probe], workers=1)
                check(kind, h)
                h.stop()

    def test_expect_100_continue_only_when_the_app_reads(self):
        def check(kind, h):
            s = wire.connect(h.port)
            s.sendall(b"POST /read HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            reader = wire.Reader(s)
            self.assertTrue(reader.until(b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue\r\n"))
            s.sendall(b"hello")
            r = wire.read_response(reader)
            self.assertEqual((r.status, r.body), (200, b"read 5\n"))
            # The app does not read: the final answer comes, no 100 before it.
            r, _ = wire.exchange(h.port, b"POST /ignore HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                                         b"Content-Length: 5\r\n\r\n")
            self.assertEqual((r.status, r.interim, r.body), (200, [], b"ignored\n"))
        self.each_type(check, app=wire.PROBE_APP)

    def test_http10_keep_alive_is_honoured(self):
        def check(kind, h):
            s = wire.connect(h.port)
            reader = wire.Reader(s)
            s.sendall(b"GET /fixed HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            r = wire.read_response(reader)
            self.assertEqual((r.status, r.body), (200, b"hello"))
            if kind == "sync":  # Gunicorn's sync: one request per connection
                self.assertEqual(r.headers.get("connection"), "close")
                return
            self.assertEqual(r.headers.get("connection", "").lower(), "keep-alive")
            s.sendall(b"GET /fixed HTTP/1.0\r\n\r\n")  # no keep-alive this time
            r = wire.read_response(reader)
            self.assertEqual((r.status, r.headers.get("connection")), (200, "close"))
            self.assertTrue(wire.closed(reader))
            # HTTP/1.0 without a length: the body ends with the connection.
            r, reader = wire.exchange(h.port, b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            self.assertEqual((r.body, r.headers.get("connection")), (b"one,two\n", "close"))
        self.each_type(check, app=wire.PROBE_APP)


if __name__ == "__main__":
    harness.main()
