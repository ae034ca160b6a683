"""http_wire.py: what the HTTP suites share beyond the harness: the
conformance table loader, the worker types to test and PROXY v2. The raw
HTTP reader is harness.py's (Reader, read_response, closed, exchange),
re-exported here for the suites that say wire.X.
"""

import codecs
import os
import socket
import struct
import time

from harness import Reader, Response, closed, connect, exchange, parse_head, read_body, read_response  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_DIR = os.environ.get("HORNET_FIXTURE_DIR", "")
PROBE_APP = os.path.join(FIXTURE_DIR, "probe.so")


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


def table_failures(port, cases, send=exchange):
    """Runs the table's cases against port, each on a new connection opened
    by send(port, data, timeout=...) -> (Response, Reader) (exchange, or a
    TLS one); every error answer must close the connection. One line per
    case that went wrong."""
    failures = []
    for klass, expect, data, line in cases:
        try:
            r, reader = send(port, data, timeout=8)
            got = r.status
            if expect != 200 and not closed(reader):
                got = f"{r.status}, connection left open"
            reader.sock.close()
        except (EOFError, OSError) as e:
            got = f"no answer ({type(e).__name__})"
        if got != expect:
            failures.append(f"line {line} [{klass}] {data!r}: want {expect}, got {got}")
    return failures


# ---------------------------------------------------------- worker types

# Every worker type hornet builds. None is left out when it fails to load:
# its daemon then fails to start and the suite fails with the reason.
WORKER_TYPES = ("sync", "gthread", "async", "uring")


def worker_types():
    return list(WORKER_TYPES)


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
