#!/usr/bin/env python3
"""make_corpus.py: (re)write tests/fuzz/corpus/ from the project's own
requests: every case of tests/integration/conformance_requests.txt, plus
PROXY v1/v2 headers in front of a request. Each file is one option byte (see
fuzz_request_parser.cpp) and the bytes; the option bytes vary the feed, the
limits and the output buffer, so the seeds start on every path."""

import codecs
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "integration", "conformance_requests.txt")
OUT = os.path.join(HERE, "corpus")
V2 = b"\r\n\r\n\x00\r\nQUIT\n"


def cases():
    with open(TABLE, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield codecs.escape_decode(line.split("\t", 1)[1].encode())[0]


def proxied():
    get = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    yield b"PROXY TCP4 203.0.113.7 198.51.100.1 51234 8080\r\n" + get
    yield b"PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n" + get
    yield b"PROXY UNKNOWN\r\n" + get
    v4 = bytes([192, 0, 2, 10, 192, 0, 2, 20]) + struct.pack("!HH", 1234, 80)
    yield V2 + b"\x21\x11" + struct.pack("!H", len(v4)) + v4 + get
    yield V2 + b"\x20\x00\x00\x00" + get  # LOCAL
    v6 = bytes(range(32)) + struct.pack("!HH", 5, 6)
    yield V2 + b"\x21\x21" + struct.pack("!H", len(v6) + 3) + v6 + b"\x04\x00\x00" + get  # with a TLV


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.unlink(os.path.join(OUT, name))
    seeds = []
    for i, data in enumerate(cases()):
        # step: 1, 7 or all; limits: defaults or tiny; output: 7 or 16 KiB bytes
        option = [0x00 | (0 << 1), 0x40 | (3 << 1), 0xC0 | (7 << 1) | 0x10][i % 3]
        seeds.append(bytes([option]) + data)
    for data in proxied():
        seeds.append(bytes([0x01 | (2 << 1)]) + data)
    for data in seeds:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {OUT}")


if __name__ == "__main__":
    main()
