"""ws_frames.py: a small RFC 6455 client over a raw socket, for tests.

It writes exactly the bytes a test asks for (bad opcodes, reserved bits,
unmasked frames, a text message split inside a code point) and reads the
server's frames one by one, so a test sees what went over the wire rather
than what a library made of it. Stdlib only.
"""

import base64
import hashlib
import os
import socket
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, length=None):
    """One frame's bytes; `length` lies about the payload length if given."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


class Closed(Exception):
    """The server closed the TCP connection."""


class WsClient:
    def __init__(self, port, path="/", headers=None, timeout=10.0, handshake=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.status = None
        self.headers = {}
        if handshake:
            self.status, self.headers = self.handshake(path, headers)

    def handshake(self, path="/", headers=None):
        self.key = base64.b64encode(os.urandom(16)).decode()
        h = {"Host": "127.0.0.1", "Upgrade": "websocket", "Connection": "Upgrade",
             "Sec-WebSocket-Key": self.key, "Sec-WebSocket-Version": "13"}
        h.update(headers or {})
        lines = [f"GET {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in h.items() if v is not None]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return self.read_head()

    def read_head(self):
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        return status, headers

    def _more(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed()
        self.buf += data

    def _exactly(self, n):
        while len(self.buf) < n:
            self._more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, opcode, payload=b"", **kw):
        self.sock.sendall(frame(opcode, payload, **kw))

    def recv_frame(self):
        """(fin, rsv, opcode, payload) of the next frame; asserts it is unmasked."""
        b0, b1 = self._exactly(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._exactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._exactly(8))[0]
        if b1 & 0x80:
            raise AssertionError("the server masked a frame")
        return bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, self._exactly(n)

    def recv_message(self):
        """(opcode, payload) of the next data message or close, skipping pings and pongs."""
        opcode, parts = None, []
        while True:
            fin, _, op, payload = self.recv_frame()
            if op in (PING, PONG):
                continue
            if op == CLOSE:
                return CLOSE, payload
            if op != CONT:
                opcode = op
            parts.append(payload)
            if fin:
                return opcode, b"".join(parts)

    def expect_close(self):
        """The close code the server sent (None for an empty close), after
        echoing the close; then the server must end the TCP connection."""
        while True:
            _, _, op, payload = self.recv_frame()
            if op == CLOSE:
                break
        code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
        try:
            self.send(CLOSE, payload[:2])
        except OSError:
            pass
        self.wait_eof()
        return code

    def wait_eof(self):
        try:
            while True:
                self._more()
                self.buf = b""
        except (Closed, ConnectionResetError):
            return

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
