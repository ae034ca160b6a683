"""test_http.py: HTTP behaviour of the sync worker with the hello and echo apps,
through real clients (curl, http.client, a raw socket) over loopback. The
10 MiB upload every worker type owes is in test_contract.py."""

import re
import shutil
import subprocess

import harness
from harness import HornetTestCase, raw_exchange, split_echo

CURL = shutil.which("curl")


class HelloTest(HornetTestCase):

    def setUp(self):
        super().setUp()
        self.h = self.daemon(["hello"], workers=2)

    def test_curl(self):
        if not CURL:
            self.skipTest("curl not installed")
        out = subprocess.run(
            [CURL, "-sS", "--max-time", "10", "-D", "-", f"http://127.0.0.1:{self.h.port}/"],
            capture_output=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        head, _, body = out.stdout.partition(b"\r\n\r\n")
        self.assertRegex(head.split(b"\r\n")[0], rb"^HTTP/1\.1 200")
        self.assertEqual(body, b"Hello, World!\n")

    def test_http_client(self):
        status, headers, body = self.get(self.h)
        self.assertEqual(status, 200)
        self.assertEqual(body, b"Hello, World!\n")
        # the sync worker: one request per connection, like Gunicorn's sync
        self.assertEqual(headers.get("connection", "").lower(), "close")
        self.assertIn("date", headers)
        self.assertIn("server", headers)
        self.assertRegex(headers["date"], r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$")

    def test_many_sequential_requests(self):
        for _ in range(50):
            status, _, body = self.get(self.h)
            self.assertEqual((status, body), (200, b"Hello, World!\n"))

    def test_head_has_no_body(self):
        # A raw socket: http.client would not notice body bytes after a HEAD.
        resp = raw_exchange(self.h.port,
                            b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        head, sep, rest = resp.partition(b"\r\n\r\n")
        self.assertTrue(sep, resp)
        self.assertRegex(head, rb"^HTTP/1\.1 200 ")
        self.assertEqual(rest, b"", "HEAD response carries a body")

    def test_http10(self):
        resp = raw_exchange(self.h.port, b"GET / HTTP/1.0\r\n\r\n")
        self.assertRegex(resp, rb"^HTTP/1\.[01] 200 ")
        self.assertTrue(resp.endswith(b"Hello, World!\n"), resp)

    def test_malformed_request_gets_400_then_next_is_served(self):
        resp = raw_exchange(self.h.port,
                            b"GET / HTTP/1.1\r\nBad Header\r\n\r\n")
        self.assertRegex(resp, rb"^HTTP/1\.[01] 400 ", resp[:200])
        for _ in range(4):  # every worker still serves
            status, _, body = self.get(self.h)
            self.assertEqual((status, body), (200, b"Hello, World!\n"))

    def test_garbage_then_served(self):
        resp = raw_exchange(self.h.port, b"\x00\x01\x02 nonsense\r\n\r\n")
        self.assertRegex(resp, rb"^HTTP/1\.[01] 400 ", resp[:200])
        status, _, body = self.get(self.h)
        self.assertEqual((status, body), (200, b"Hello, World!\n"))


class WorkerLifeTest(HornetTestCase):
    """Workers serve request after request without dying: the same pids
    before and after, and no death in the log."""

    def check_survives(self, app, path="/", method="GET", body=None):
        h = self.daemon([app], workers=2)
        before = h.workers()
        self.assertEqual(len(before), 2)
        for _ in range(20):
            self.assertEqual(self.get(h, path, method=method, body=body)[0], 200)
        harness.wait_until(lambda: h.workers() != before, 0.5)  # a crash shows up
        self.assertFalse(re.search(r"(?i)killed by signal|exited with status [1-9]", h.log()),
                         f"a worker died:\n{h.log()}")
        self.assertEqual(h.workers(), before, f"workers were replaced\n{h.log()}")

    def test_hello_workers_survive_requests(self):
        self.check_survives("hello")

    def test_echo_workers_survive_requests(self):
        self.check_survives("echo", "/x", "POST", b"some body")


class MalformedOneWorkerTest(HornetTestCase):
    """With one worker the request after the 400 is served by that same
    process: the bad request did not crash it."""

    def test_400_then_same_worker_serves(self):
        h = self.daemon(["hello"], workers=1)
        before = h.workers()
        self.assertEqual(len(before), 1)
        resp = raw_exchange(h.port, b"GET / HTTP/1.1\r\nBad Header\r\n\r\n")
        self.assertRegex(resp, rb"^HTTP/1\.[01] 400 ", resp[:200])
        status, _, body = self.get(h)
        self.assertEqual((status, body), (200, b"Hello, World!\n"))
        harness.wait_until(lambda: h.workers() != before, 0.5)  # a crash shows up
        self.assertEqual(h.workers(), before, f"the worker was replaced\n{h.log()}")


class EchoTest(HornetTestCase):

    def setUp(self):
        super().setUp()
        self.h = self.daemon(["echo"], workers=2)

    def test_request_line_and_headers(self):
        status, headers, body = self.get(
            self.h, "/some/path?x=1&y=two", headers={"X-Test": "abc def", "X-Other": "42"})
        self.assertEqual(status, 200)
        self.assertTrue(headers.get("content-type", "").startswith("text/"), headers)
        lines, rest = split_echo(body)
        self.assertEqual(lines[0], "GET /some/path?x=1&y=two HTTP/1.1")
        self.assertIn("X-Test: abc def", lines[1:])
        self.assertIn("X-Other: 42", lines[1:])
        self.assertTrue(any(re.match(r"(?i)host: 127\.0\.0\.1:\d+$", l) for l in lines[1:]),
                        lines)
        self.assertEqual(rest, b"")

    def test_small_post_fixed_length(self):
        status, headers, body = self.get(self.h, "/p", method="POST", body=b"a=1&b=2",
                                         headers={"Content-Type": "text/plain"})
        self.assertEqual(status, 200)
        lines, rest = split_echo(body)
        self.assertEqual(lines[0], "POST /p HTTP/1.1")
        self.assertIn("Content-Length: 7", lines[1:])
        self.assertEqual(rest, b"a=1&b=2")

    def test_response_is_chunked(self):
        resp = raw_exchange(self.h.port, b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n")
        head = resp.partition(b"\r\n\r\n")[0].lower()
        self.assertIn(b"transfer-encoding: chunked", head)

    def test_head_has_no_body(self):
        resp = raw_exchange(self.h.port, b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n")
        head, sep, rest = resp.partition(b"\r\n\r\n")
        self.assertRegex(head, rb"^HTTP/1\.1 200 ")
        self.assertEqual(rest, b"")


if __name__ == "__main__":
    harness.main()
