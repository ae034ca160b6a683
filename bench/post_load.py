#!/usr/bin/env python3
"""bench/post_load.py: keep-alive clients that POST, for bench/reload.sh.

    post_load.py PORT CONNECTIONS SECONDS

Each connection sends POSTs with a 3000-byte body back to back for SECONDS
and reconnects after a response that says Connection: close (or after a
refusal). A request that was sent and never answered is lost: a POST is
not retried by browsers or by requests. Prints one line:
"answered N lost N told N".
"""

import socket
import sys
import threading
import time

BODY = b"x" * 3000


def read_response(sock, buf):
    """(status, close?, rest of buf) of one response, or raise EOFError."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise EOFError
        buf += data
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    length = int(headers.get("content-length", "0"))
    while len(buf) < length:
        data = sock.recv(65536)
        if not data:
            raise EOFError
        buf += data
    return int(lines[0].split()[1]), headers.get("connection", "").lower() == "close", buf[length:]


def client(port, until, counts, lock):
    request = (f"POST / HTTP/1.1\r\nHost: b\r\nContent-Length: {len(BODY)}\r\n\r\n").encode() + BODY
    while time.monotonic() < until:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.05)
            continue
        buf, close = b"", False
        with sock:
            while not close and time.monotonic() < until:
                try:
                    sock.sendall(request)
                    status, close, buf = read_response(sock, buf)
                    key = "answered" if status == 200 else "lost"
                except (OSError, EOFError):
                    key, close = "lost", True
                with lock:
                    counts[key] += 1
                    counts["told"] += close and key == "answered"


def main():
    port, connections, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    counts, lock = {"answered": 0, "lost": 0, "told": 0}, threading.Lock()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, until, counts, lock)) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"answered {counts['answered']} lost {counts['lost']} told {counts['told']}")


if __name__ == "__main__":
    main()
