"""http_wire.py: raw HTTP/1.1 on a socket, for tests that must see the bytes.

http.client hides what these tests are about (a body after a HEAD, a 100
Continue, a connection closed early), so this reads responses itself:

    s = connect(port); s.sendall(b"GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n")
    r = read_response(s)       # r.status, r.headers (lowercase), r.body, r.interim
    closed(s)                  # the server closed the connection (EOF / reset)

Also: the conformance table loader, worker types to test, and PROXY v2.
"""

import codecs
import os
import socket
import struct
import subprocess
import time

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_DIR = os.environ.get("HORNET_FIXTURE_DIR", "")
PROBE_APP = os.path.join(FIXTURE_DIR, "probe.so")


class Response:
    def __init__(self, status, reason, version, headers, raw_head, body, interim):
        self.status, self.reason, self.version = status, reason, version
        self.headers = headers        # {lowercase name: value}, last wins
        self.raw_head = raw_head      # the head's bytes, as received
        self.body = body
        self.interim = interim        # 1xx statuses seen before this one

    def __repr__(self):
        return f"<{self.status} {self.headers} {self.body[:60]!r}>"


class Reader:
    """Buffered reads from a socket with a deadline per call."""

    def __init__(self, sock, timeout=10.0):
        self.sock, self.timeout, self.buf = sock, timeout, b""
        sock.settimeout(timeout)

    def _more(self):
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            raise EOFError(f"connection closed; got {self.buf[:200]!r}")
        self.buf += data

    def until(self, sep):
        while sep not in self.buf:
            self._more()
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            self._more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def to_eof(self):
        while True:
            try:
                self._more()
            except EOFError:
                out, self.buf = self.buf, b""
                return out


def parse_head(raw):
    lines = raw.decode("latin-1").split("\r\n")
    version, status, reason = (lines[0].split(" ", 2) + [""])[:3]
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return version, int(status), reason, headers


def read_body(reader, head_request, status, headers):
    if head_request or status in (204, 304) or status < 200:
        return b""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        out = b""
        while True:
            size = int(reader.until(b"\r\n")[:-2].split(b";")[0], 16)
            if size == 0:
                reader.until(b"\r\n")  # no trailers from hornet
                return out
            out += reader.exactly(size)
            assert reader.exactly(2) == b"\r\n", "bad chunk framing"
    if "content-length" in headers:
        return reader.exactly(int(headers["content-length"]))
    return reader.to_eof()


def read_response(reader, head_request=False):
    """The next final response from a Reader (1xx ones are collected)."""
    interim = []
    while True:
        raw = reader.until(b"\r\n\r\n")
        version, status, reason, headers = parse_head(raw)
        if status >= 200:
            break
        interim.append(status)
    body = read_body(reader, head_request, status, headers)
    return Response(status, reason, version, headers, raw, body, interim)


def connect(port, host="127.0.0.1", timeout=10.0):
    return socket.create_connection((host, port), timeout=timeout)


def closed(reader, timeout=5.0):
    """True when the server closes the connection (nothing more comes)."""
    reader.sock.settimeout(timeout)
    try:
        extra = reader.to_eof()
    except socket.timeout:
        return False
    finally:
        reader.sock.settimeout(reader.timeout)
    return extra == b""


def exchange(port, data, head_request=False, timeout=10.0):
    """Send data on a new connection, read one response: (Response, Reader)."""
    s = connect(port, timeout=timeout)
    s.sendall(data)
    reader = Reader(s, timeout)
    return read_response(reader, head_request), reader


# ---------------------------------------------------------------- the table


def load_cases(path=os.path.join(HERE, "conformance_requests.txt")):
    """[(class, expected status, request bytes, line number)]"""
    cases, klass = [], "?"
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("# class: "):
                klass = line[len("# class: "):]
            if not line or line.startswith("#"):
                continue
            expect, raw = line.split("\t", 1)
            data = codecs.escape_decode(raw.encode("utf-8"))[0]
            cases.append((klass, int(expect), data, n))
    return cases


# ---------------------------------------------------------- worker types

_TYPES = None


def worker_types():
    """sync and gthread, and async when its plugin is there and loads."""
    global _TYPES
    if _TYPES is None:
        _TYPES = ["sync", "gthread"]
        if os.path.exists(os.path.join(harness.PLUGIN_DIR, "async.so")):
            rc = subprocess.run([harness.HORNET_BIN, "--check-config", "-k", "async", "echo"],
                                capture_output=True, timeout=30).returncode
            if rc == 0:
                _TYPES.append("async")
    return _TYPES


def worker_args(kind):
    """Arguments that make a small daemon of that worker type."""
    if kind == "gthread":
        return ["-k", "gthread", "--threads", "4"]
    return ["-k", kind]


# ------------------------------------------------------------ PROXY v2

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def proxy_v2(src, dst, sport, dport, command=1):
    """A PROXY protocol v2 header for TCP over IPv4 or IPv6 (command 0: LOCAL)."""
    six = ":" in src
    family = socket.AF_INET6 if six else socket.AF_INET
    addrs = socket.inet_pton(family, src) + socket.inet_pton(family, dst) + struct.pack("!HH", sport, dport)
    fam = 0x21 if six else 0x11
    return V2_SIGNATURE + bytes([0x20 | command, fam]) + struct.pack("!H", len(addrs)) + addrs


def wait_for_file_lines(path, count, timeout=10.0):
    """The lines of path once it has at least count of them (or what it has)."""
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = [l.rstrip("\n") for l in f if l.strip()]
            if len(lines) >= count:
                break
        time.sleep(0.05)
    return lines
