#!/usr/bin/env python3
"""make_websocket_corpus.py: (re)write tests/fuzz/corpus_websocket/ with
client byte streams for fuzz_websocket.cpp: one option byte (feed piece size,
deflate, context takeover, limit, fragments; see the .cpp) and masked
frames: messages, fragments around pings, closes good and bad, reserved bits
and opcodes, bad UTF-8, compressed messages (RFC 7692's "Hello")."""

import hashlib
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus_websocket")
MASK = b"\x37\xfa\x21\x3d"


def frame(op, payload=b"", fin=True, rsv1=False, mask=MASK):
    head = bytes([(0x80 if fin else 0) | (0x40 if rsv1 else 0) | op])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    if not mask:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def close(code, reason=b""):
    return frame(8, struct.pack(">H", code) + reason)


def deflated(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4]


def streams():
    hello = b"\xf2\x48\xcd\xc9\xc9\x07\x00"
    yield 0x07, frame(1, b"Hello") + frame(2, bytes(range(256))) + close(1000, b"bye")
    yield 0x00, frame(1, b"Hel", fin=False) + frame(9, b"ping") + frame(0, b"lo") + frame(10, b"")
    yield 0x41, frame(1, b"a" * 300, fin=False) + frame(0, b"\xe2\x82", fin=False) + frame(0, b"\xac")
    yield 0x02, frame(1, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80", fin=False)
    yield 0x03, frame(1, b"ok") + frame(1, b"unmasked", mask=None)
    yield 0x04, bytes([0x83, 0x80]) + MASK + frame(1, b"x")
    yield 0x05, bytes([0xA1, 0x80]) + MASK
    yield 0x06, frame(9, b"p" * 126) + frame(0, b"orphan")
    yield 0x07, frame(8, b"\x03") + close(1005) + close(2999)
    yield 0x27, frame(2, b"x" * 101)
    yield 0x08 | 0x07, frame(1, hello, rsv1=True) + frame(1, b"\xf2\x00\x11\x00\x00", rsv1=True)
    yield 0x18 | 0x01, frame(2, deflated(b"fragmented and compressed" * 10), rsv1=True)
    yield 0x48 | 0x02, frame(1, deflated(b"abc" * 1000)[:10], fin=False, rsv1=True) + \
        frame(0, deflated(b"abc" * 1000)[10:])
    yield 0x28 | 0x07, frame(2, deflated(b"\0" * 100000), rsv1=True)
    yield 0x07, frame(2, b"z" * 7000)
    yield 0x07, bytes([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1]) + MASK
    yield 0x05, bytes([0x82, 0xFE, 0x00, 0x05]) + MASK + b"abcde"
    yield 0x07, close(1000, b"\xff") + frame(1, b"after")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    for option, data in streams():
        blob = bytes([option]) + data
        with open(os.path.join(OUT, hashlib.sha1(blob).hexdigest()), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
