"""test_websocket.py: WebSocket (RFC 6455) and raw upgrades on every worker type.

The wsecho app (apps/wsecho) echoes on / and broadcasts on /chat; /raw is a
raw upgraded echo (hornet.upgrade/1). One daemon per worker type serves a
whole class; each test drives it with raw frames (ws_frames.py) and checks
the server's frames byte for byte. What is covered, after Autobahn's
sections:

 1 framing: text and binary of 0, 125, 126, 65535, 65536 bytes and 1 MiB;
 2 pings: pong with the same payload, ten in a row, 125 bytes fine and 126
   a protocol error, a fragmented ping refused, unsolicited pongs ignored;
 3 reserved bits: RSV1..3 without an extension is 1002;
 4 opcodes: reserved data (3..7) and control (B..F) opcodes are 1002;
 5 fragmentation: messages in pieces (pings between them), a continuation
   with nothing to continue and a new message inside one are 1002;
 6 UTF-8: multi-byte text, text split inside a code point across
   fragments, invalid text (whole and fragmented) is 1007;
 7 close: codes echoed, a 1-byte payload and codes no peer may send are
   1002, a reason that is not UTF-8 is 1007, the TCP connection ends after;
 9 limits: a message over websocket_max_message is 1009;
 plus an unmasked client frame (1002), the handshake's refusals (missing
 or bad key 400, version 8 426 with Sec-WebSocket-Version: 13, POST and
 HTTP/1.0 400), the subprotocol choice, the access record of a closed
 WebSocket (status 101, once), and a client that vanishes (no close, or
 no pongs) freed by the server. Real clients (Python's websockets with
 permessage-deflate, Node's ws) and the drain on TERM and HUP (close 1001,
 the new generation serving) are in WebSocketClientsCase and
 WebSocketDrainCase, on async, uring and gthread (sync: one connection
 per process, a test in each class says so where it differs). The drain
 also tells a raw upgraded stream (its read returns HORNET_ESHUTDOWN) on
 every worker type, and wsecho's /raw ends its stream then.
 A blocking app's WebSockets (the wsecho_blocking fixture: wsecho without
 NONBLOCKING, a blocking recv loop on a pool thread of async and uring, the
 ring leaving the socket to the thread) pass the same conformance, chat and
 drain cases, and on uring the ping timeout and real clients too.
 TimerCase (the ws_timer fixture) holds async and uring to the rule that
 server pings own the exchange's hornet.timer/1: the app's start() is
 HORNET_EBUSY while websocket_ping_interval is not 0, HORNET_OK with it 0.
"""

import asyncio
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import unittest

import harness
from harness import Hornet, wait_until
from ws_frames import BINARY, CLOSE, CONT, PING, PONG, TEXT, Closed, WsClient, accept_for, close_payload, frame

MAX_MESSAGE = 1 << 20  # websocket_max_message in these daemons: 1 MiB
# apps/wsecho without NONBLOCKING (tests/fixtures): on async and uring its
# WebSockets run on the worker's pool, a blocking recv loop on a thread each.
WSECHO_BLOCKING = os.path.join(os.environ.get("HORNET_FIXTURE_DIR", ""), "wsecho_blocking.so")


def daemon_args(kind, access_log, extra=(), app="wsecho"):
    args = ["-b", "127.0.0.1:0", "-k", kind, "--graceful-timeout", "5s",
            "--websocket-max-message", str(MAX_MESSAGE), "--access-logfile", access_log, *extra]
    if kind == "sync":
        args += ["-w", "3"]
    else:
        args += ["-w", "1"]
    if kind == "gthread" or app != "wsecho":
        args += ["--threads", "8"]  # a thread per open WebSocket
    return args + [app]


class ServedCase(unittest.TestCase):
    """One daemon for the whole class."""

    KIND = None
    EXTRA = ()
    APP = "wsecho"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hornet-ws-", dir=harness.TMP_ROOT)
        cls.access = os.path.join(cls.tmp, "access.log")
        cls.h = Hornet(daemon_args(cls.KIND, cls.access, cls.EXTRA, cls.APP), cls.tmp)
        cls.h.start()
        cls.h.wait_ready(3 if cls.KIND == "sync" else 1)
        cls.port = cls.h.port

    @classmethod
    def tearDownClass(cls):
        cls.h.stop()
        shutil.rmtree(cls.tmp, True)

    def client(self, path="/", headers=None):
        c = WsClient(self.port, path, headers)
        self.addCleanup(c.close)
        self.assertEqual(c.status, 101, c.headers)
        return c

    def access_lines(self):
        try:
            with open(self.access) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []


class ConformanceCase(ServedCase):
    # ---- the handshake --------------------------------------------------------

    def test_handshake_answers_accept_key(self):
        c = self.client()
        self.assertEqual(c.headers["sec-websocket-accept"], accept_for(c.key))
        self.assertEqual(c.headers["upgrade"].lower(), "websocket")
        self.assertEqual(c.headers["connection"].lower(), "upgrade")
        self.assertNotIn("sec-websocket-protocol", c.headers)

    def test_subprotocol_chosen_by_the_app(self):
        c = self.client(headers={"Sec-WebSocket-Protocol": "chat.v2, echo"})
        self.assertEqual(c.headers["sec-websocket-protocol"], "echo")

    def refused(self, request):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.addCleanup(s.close)
        s.sendall(request)
        r = harness.read_response(harness.Reader(s))
        return r.status, r.headers

    def handshake_request(self, method="GET", version="1.1", key="dGhlIHNhbXBsZSBub25jZQ==", ws_version="13"):
        lines = [f"{method} / HTTP/{version}", "Host: x", "Upgrade: websocket", "Connection: Upgrade"]
        if key is not None:
            lines.append(f"Sec-WebSocket-Key: {key}")
        lines.append(f"Sec-WebSocket-Version: {ws_version}")
        if method != "GET":
            lines.append("Content-Length: 0")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def test_refusals(self):
        cases = [
            ("missing key", self.handshake_request(key=None), 400),
            ("bad key", self.handshake_request(key="short"), 400),
            ("version 8", self.handshake_request(ws_version="8"), 426),
            ("POST", self.handshake_request(method="POST"), 400),
            ("HTTP/1.0", self.handshake_request(version="1.0"), 400),
        ]
        for what, request, want in cases:
            with self.subTest(what):
                status, headers = self.refused(request)
                self.assertEqual(status, want)
                if want == 426:
                    self.assertEqual(headers.get("sec-websocket-version"), "13")

    def test_plain_http_still_served(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.addCleanup(s.close)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        r = harness.read_response(harness.Reader(s))
        self.assertEqual(r.status, 200)
        self.assertIn(b"WebSocket", r.body)

    # ---- 1: framing -------------------------------------------------------------

    def test_text_and_binary_sizes(self):
        c = self.client()
        for n in (0, 125, 126, 65535, 65536):
            for op in (TEXT, BINARY):
                payload = (b"*" * n)
                c.send(op, payload)
                self.assertEqual(c.recv_message(), (op, payload), f"opcode {op}, {n} bytes")

    def test_one_mebibyte_message(self):
        c = self.client()
        payload = os.urandom(MAX_MESSAGE)
        c.send(BINARY, payload)
        self.assertEqual(c.recv_message(), (BINARY, payload))

    def test_unmasked_client_frame_is_1002(self):
        c = self.client()
        c.send(TEXT, b"hello", mask=False)
        self.assertEqual(c.expect_close(), 1002)

    # ---- 2: pings and pongs -------------------------------------------------------

    def test_ping_answered_with_same_payload(self):
        c = self.client()
        for payload in (b"", b"hello", b"\xff" * 125):
            c.send(PING, payload)
            fin, rsv, op, got = c.recv_frame()
            self.assertEqual((fin, rsv, op, got), (True, 0, PONG, payload))

    def test_ten_pings_ten_pongs(self):
        c = self.client()
        c.send_raw(b"".join(frame(PING, b"p%d" % i) for i in range(10)))
        self.assertEqual([c.recv_frame()[3] for _ in range(10)], [b"p%d" % i for i in range(10)])

    def test_ping_over_125_bytes_is_1002(self):
        c = self.client()
        c.send(PING, b"x" * 126)
        self.assertEqual(c.expect_close(), 1002)

    def test_fragmented_ping_is_1002(self):
        c = self.client()
        c.send(PING, b"half", fin=False)
        self.assertEqual(c.expect_close(), 1002)

    def test_unsolicited_pong_ignored(self):
        c = self.client()
        c.send(PONG, b"unasked")
        c.send(TEXT, b"after")
        self.assertEqual(c.recv_frame()[2:], (TEXT, b"after"))

    # ---- 3: reserved bits; 4: opcodes ------------------------------------------------

    def test_reserved_bits_are_1002(self):
        for rsv in (1, 2, 4, 7):
            with self.subTest(rsv=rsv):
                c = self.client()
                c.send(TEXT, b"x", rsv=rsv)
                self.assertEqual(c.expect_close(), 1002)

    def test_reserved_opcodes_are_1002(self):
        for op in (3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF):
            with self.subTest(opcode=op):
                c = self.client()
                c.send(op, b"")
                self.assertEqual(c.expect_close(), 1002)

    # ---- 5: fragmentation -------------------------------------------------------------

    def test_fragments_reassembled_with_pings_between(self):
        c = self.client()
        c.send(TEXT, b"frag", fin=False)
        c.send(PING, b"mid")
        c.send(CONT, b"men", fin=False)
        c.send(CONT, b"ted")
        self.assertEqual(c.recv_frame()[2:], (PONG, b"mid"))
        self.assertEqual(c.recv_message(), (TEXT, b"fragmented"))

    def test_continuation_without_start_is_1002(self):
        c = self.client()
        c.send(CONT, b"orphan")
        self.assertEqual(c.expect_close(), 1002)

    def test_new_message_inside_fragmented_one_is_1002(self):
        c = self.client()
        c.send(TEXT, b"a", fin=False)
        c.send(TEXT, b"b")
        self.assertEqual(c.expect_close(), 1002)

    # ---- 6: UTF-8 ------------------------------------------------------------------------

    def test_multibyte_text_echoed(self):
        c = self.client()
        text = "κόσμε ☃ 𝄞 hornet".encode()
        c.send(TEXT, text)
        self.assertEqual(c.recv_message(), (TEXT, text))

    def test_text_split_inside_a_code_point(self):
        c = self.client()
        text = "𝄞".encode()  # four bytes
        c.send(TEXT, text[:1], fin=False)
        c.send(CONT, text[1:3], fin=False)
        c.send(CONT, text[3:])
        self.assertEqual(c.recv_message(), (TEXT, text))

    def test_invalid_utf8_is_1007(self):
        c = self.client()
        c.send(TEXT, b"\xce\xba\xe1\x80\x80\xed\xa0\x80edited")  # a surrogate
        self.assertEqual(c.expect_close(), 1007)

    def test_invalid_utf8_in_a_fragment_is_1007(self):
        c = self.client()
        c.send(TEXT, b"ok", fin=False)
        c.send(CONT, b"\xff", fin=False)
        self.assertEqual(c.expect_close(), 1007)

    # ---- 7: close ---------------------------------------------------------------------------

    def test_close_codes_echoed(self):
        for code in (1000, 1001, 1003, 1011, 3000, 4999):
            with self.subTest(code=code):
                c = self.client()
                c.send(CLOSE, close_payload(code, b"bye"))
                _, _, op, payload = c.recv_frame()
                self.assertEqual(op, CLOSE)
                self.assertEqual(struct.unpack("!H", payload[:2])[0], code)
                c.wait_eof()

    def test_empty_close_echoed(self):
        c = self.client()
        c.send(CLOSE)
        _, _, op, payload = c.recv_frame()
        self.assertEqual((op, payload), (CLOSE, b""))
        c.wait_eof()

    def test_bad_close_payloads_are_1002(self):
        for what, payload in (("1 byte", b"\x03"), ("999", close_payload(999)), ("1004", close_payload(1004)),
                              ("1005", close_payload(1005)), ("1006", close_payload(1006)),
                              ("1015", close_payload(1015)), ("5000", close_payload(5000))):
            with self.subTest(what):
                c = self.client()
                c.send(CLOSE, payload)
                self.assertEqual(c.expect_close(), 1002)

    def test_close_reason_not_utf8_is_1007(self):
        c = self.client()
        c.send(CLOSE, close_payload(1000, b"\xff\xfe"))
        self.assertEqual(c.expect_close(), 1007)

    def test_data_after_close_ignored(self):
        c = self.client()
        c.send_raw(frame(CLOSE, close_payload(1000)) + frame(TEXT, b"late"))
        _, _, op, payload = c.recv_frame()
        self.assertEqual((op, payload[:2]), (CLOSE, close_payload(1000)))
        c.wait_eof()

    # ---- 9: limits --------------------------------------------------------------------------

    def test_message_over_the_limit_is_1009(self):
        c = self.client()
        c.send(BINARY, b"x" * (MAX_MESSAGE + 1))
        self.assertEqual(c.expect_close(), 1009)

    def test_fragmented_message_over_the_limit_is_1009(self):
        c = self.client()
        half = b"y" * (MAX_MESSAGE // 2 + 1)
        try:
            c.send(BINARY, half, fin=False)
            c.send(CONT, half)
        except OSError:
            pass  # the server may have closed already
        self.assertEqual(c.expect_close(), 1009)

    # ---- the connection's end --------------------------------------------------------------

    def test_access_record_once_at_close(self):
        c = self.client(path="/record-me")
        c.send(TEXT, b"hello")
        c.recv_message()
        self.assertFalse([l for l in self.access_lines() if "/record-me" in l], "logged before the close")
        c.send(CLOSE, close_payload(1000))
        self.assertEqual(c.recv_frame()[2], CLOSE)
        c.wait_eof()
        wait_until(lambda: [l for l in self.access_lines() if "/record-me" in l], 10)
        lines = [l for l in self.access_lines() if "/record-me" in l]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn('" 101 ', lines[0])

    def test_client_vanishing_without_close_is_freed(self):
        c = self.client(path="/vanish")
        c.send(TEXT, b"hi")
        c.recv_message()
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()  # a reset, no close frame
        self.assertTrue(wait_until(lambda: [l for l in self.access_lines() if "/vanish" in l], 10),
                        "the server never ended the connection")

    # ---- raw upgrade (hornet.upgrade/1) -------------------------------------------------------

    def test_raw_upgrade_echoes_bytes(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.addCleanup(s.close)
        s.sendall(b"GET /raw HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly")
        c = WsClient.__new__(WsClient)
        c.sock, c.buf = s, b""
        status, headers = c.read_head()
        self.assertEqual(status, 101)
        self.assertEqual(headers["upgrade"], "echo")
        self.assertEqual(headers["connection"].lower(), "upgrade")
        self.assertNotIn("transfer-encoding", headers)
        self.assertEqual(c._exactly(5), b"early")
        blob = os.urandom(200000)
        s.sendall(blob)
        self.assertEqual(c._exactly(len(blob)), blob)
        s.shutdown(socket.SHUT_WR)
        c.wait_eof()


class ChatCase:
    """Broadcast to every member of the worker's room (one worker here)."""

    def test_chat_broadcast_reaches_every_member(self):
        members = [self.client("/chat") for _ in range(3)]
        members[0].send(TEXT, b"hello room")
        for m in members:
            self.assertEqual(m.recv_message(), (TEXT, b"hello room"))

    def test_failed_upgrade_while_the_room_broadcasts(self):
        # A member joins the room before its 101; a handshake with a body
        # cannot be upgraded, so its channel is refused while the room's
        # sender may hold it: answered without a 101, the room goes on.
        talker, listener = self.client("/chat"), self.client("/chat")
        request = ("GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                   "Content-Length: 3\r\n\r\nabc").encode()
        for i in range(20):
            talker.send(TEXT, b"m%d" % i)
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            self.addCleanup(s.close)
            s.sendall(request)
            r = harness.read_response(harness.Reader(s))
            self.assertNotEqual(r.status, 101)
        for i in range(20):
            self.assertEqual(listener.recv_message(), (TEXT, b"m%d" % i))
            self.assertEqual(talker.recv_message(), (TEXT, b"m%d" % i))


class SyncConformance(ConformanceCase):
    KIND = "sync"


class GthreadConformance(ConformanceCase, ChatCase):
    KIND = "gthread"


class AsyncConformance(ConformanceCase, ChatCase):
    KIND = "async"


class UringConformance(ConformanceCase, ChatCase):
    KIND = "uring"


class AsyncBlockingConformance(ConformanceCase, ChatCase):
    KIND = "async"
    APP = WSECHO_BLOCKING


class UringBlockingConformance(ConformanceCase, ChatCase):
    KIND = "uring"
    APP = WSECHO_BLOCKING


class PingTimeoutCase(ServedCase):
    """A peer that stops answering pings is dropped (a vanished host).
    The peer gets 2 s to answer: a client on a loaded machine may take more
    than a few hundred ms to read a ping and pong."""

    EXTRA = ("--websocket-ping-interval", "300ms", "--websocket-ping-timeout", "2s")

    def test_server_pings_and_drops_a_silent_peer(self):
        c = self.client(path="/silent")
        fin, rsv, op, payload = c.recv_frame()  # waits for the server's ping
        self.assertEqual(op, PING)
        self.assertTrue(wait_until(lambda: [l for l in self.access_lines() if "/silent" in l], 10),
                        "a peer that never pongs was kept")

    def test_answered_pings_keep_the_connection(self):
        c = self.client(path="/alive")
        for _ in range(3):
            _, _, op, payload = c.recv_frame()
            self.assertEqual(op, PING)
            c.send(PONG, payload)
        c.send(TEXT, b"still here")
        self.assertEqual(c.recv_message(), (TEXT, b"still here"))


class GthreadPingTimeout(PingTimeoutCase):
    KIND = "gthread"


class AsyncPingTimeout(PingTimeoutCase):
    KIND = "async"


class UringPingTimeout(PingTimeoutCase):
    KIND = "uring"


class UringBlockingPingTimeout(PingTimeoutCase):
    KIND = "uring"
    APP = WSECHO_BLOCKING


class ClientsCase(ServedCase):
    """Real clients: Python's websockets (permessage-deflate on) and Node's ws."""

    def test_python_websockets(self):
        import websockets

        async def talk():
            async with websockets.connect(f"ws://127.0.0.1:{self.port}/", subprotocols=["echo"],
                                          max_size=None) as ws:
                self.assertEqual(ws.subprotocol, "echo")
                self.assertIn("permessage-deflate", ws.response_headers.get("Sec-WebSocket-Extensions", ""))
                for msg in ("hello", "κόσμε" * 1000, b"\x00\x01" * 40000):
                    await ws.send(msg)
                    self.assertEqual(await ws.recv(), msg)
                await ws.ping(b"x")
            return ws.close_code

        self.assertEqual(asyncio.run(talk()), 1000)

    def test_node_ws(self):
        script = r"""
const WebSocket = require('ws');
const ws = new WebSocket('ws://127.0.0.1:' + process.argv[process.argv.length - 1] + '/', {perMessageDeflate: true});
const sent = ['hello', 'x'.repeat(100000)];
let got = 0;
ws.on('open', () => ws.send(sent[0]));
ws.on('message', (data) => {
  if (data.toString() !== sent[got]) { console.log('mismatch'); process.exit(1); }
  if (++got < sent.length) ws.send(sent[got]); else ws.close(1000, 'done');
});
ws.on('close', (code) => { console.log('closed ' + code); process.exit(code === 1000 ? 0 : 1); });
ws.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });
"""
        env = dict(os.environ, NODE_PATH="/usr/share/nodejs")
        r = subprocess.run(["node", "-e", script, str(self.port)], env=env, capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("closed 1000", r.stdout)

    def test_python_client_that_disappears(self):
        import websockets

        async def vanish():
            ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/gone")
            await ws.send("hi")
            await ws.recv()
            ws.transport.abort()  # no close frame, the TCP connection reset

        asyncio.run(vanish())
        self.assertTrue(wait_until(lambda: [l for l in self.access_lines() if "/gone" in l], 10))


class GthreadClients(ClientsCase):
    KIND = "gthread"


class AsyncClients(ClientsCase):
    KIND = "async"


class UringClients(ClientsCase):
    KIND = "uring"


class UringBlockingClients(ClientsCase):
    KIND = "uring"
    APP = WSECHO_BLOCKING


class SyncClients(ClientsCase):
    KIND = "sync"


class DrainCase(harness.HornetTestCase):
    """TERM and HUP with open WebSockets: close 1001; the new generation serves."""

    KIND = None
    APP = "wsecho"

    def start(self, graceful="5s"):
        threaded = self.KIND == "gthread" or self.APP != "wsecho"
        args = ["-k", self.KIND, self.APP] + (["--threads", "4"] if threaded else [])
        return self.daemon(args, workers=1, graceful=graceful)

    def test_term_tells_a_raw_stream(self):
        # graceful_timeout is 120 s: only the notice (the app's read returns
        # HORNET_ESHUTDOWN, and wsecho ends its stream) can close the stream
        # within the client's 10 s; without it the cut would come at 120 s.
        h = self.start(graceful="120s")
        c = WsClient(h.port, handshake=False)
        self.addCleanup(c.close)
        c.sock.sendall(b"GET /raw HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
        status, _ = c.read_head()
        self.assertEqual(status, 101)
        c.sock.sendall(b"before the stop")
        self.assertEqual(c._exactly(15), b"before the stop")
        os.kill(h.pid, signal.SIGTERM)
        c.wait_eof()  # a socket timeout (10 s) fails the test
        self.assertEqual(h.wait_exit(), 0)

    def test_term_sends_1001(self):
        h = self.start()
        c = WsClient(h.port)
        self.addCleanup(c.close)
        c.send(TEXT, b"x")
        c.recv_message()
        os.kill(h.pid, signal.SIGTERM)
        _, _, op, payload = c.recv_frame()
        self.assertEqual(op, CLOSE)
        self.assertEqual(struct.unpack("!H", payload[:2])[0], 1001)
        c.send(CLOSE, payload[:2])
        c.wait_eof()
        self.assertEqual(h.wait_exit(), 0)

    def test_hup_sends_1001_and_new_generation_serves(self):
        h = self.start()
        old = WsClient(h.port)
        self.addCleanup(old.close)
        old.send(TEXT, b"x")
        old.recv_message()
        os.kill(h.pid, signal.SIGHUP)
        _, _, op, payload = old.recv_frame()
        self.assertEqual((op, struct.unpack("!H", payload[:2])[0]), (CLOSE, 1001))
        new = WsClient(h.port)
        self.addCleanup(new.close)
        new.send(TEXT, b"new generation")
        self.assertEqual(new.recv_message(), (TEXT, b"new generation"))
        old.send(CLOSE, payload[:2])
        old.wait_eof()


class AsyncDrain(DrainCase):
    KIND = "async"


class UringDrain(DrainCase):
    KIND = "uring"


class AsyncBlockingDrain(DrainCase):
    KIND = "async"
    APP = WSECHO_BLOCKING


class UringBlockingDrain(DrainCase):
    KIND = "uring"
    APP = WSECHO_BLOCKING


class GthreadDrain(DrainCase):
    KIND = "gthread"


class SyncDrain(DrainCase):
    KIND = "sync"


class TimerCase(harness.HornetTestCase):
    """Under async and uring a WebSocket's server pings hold the exchange's one timer
    (hornet.timer/1): the app's start() on an accepted WebSocket returns
    HORNET_EBUSY while websocket_ping_interval is not 0, HORNET_OK with it 0
    (docs/plugins.md, "Connection upgrades"). tests/fixtures/ws_timer_app.c
    starts the timer at accept and sends what start() returned."""

    def serve(self, kind, *args):
        app = os.path.join(os.environ.get("HORNET_FIXTURE_DIR", ""), "ws_timer.so")
        return self.daemon(["-k", kind, *args, app], workers=1)

    def connect(self, h, path="/?ms=100"):
        c = WsClient(h.port, path)
        self.addCleanup(c.close)
        self.assertEqual(c.status, 101, c.headers)
        return c

    def close_cleanly(self, c):
        c.send(CLOSE, close_payload(1000))
        self.assertEqual(c.recv_frame()[2:], (CLOSE, close_payload(1000)))
        c.wait_eof()

    def test_pings_hold_the_timer(self):
        # The default interval (20 s) and a short one, which must still ping.
        for kind in ("async", "uring"):
            for what, args in (("default", ()), ("200ms", ("--websocket-ping-interval", "200ms"))):
                with self.subTest(kind=kind, interval=what):
                    h = self.serve(kind, *args)
                    c = self.connect(h)
                    self.assertEqual(c.recv_frame()[2:], (TEXT, b"timer start: HORNET_EBUSY"))
                    if args:
                        _, _, op, payload = c.recv_frame()  # the channel's timer: a ping
                        self.assertEqual(op, PING)
                        c.send(PONG, payload)
                    self.close_cleanly(c)
                    h.stop()

    def test_without_pings_the_timer_is_the_apps(self):
        for kind in ("async", "uring"):
            with self.subTest(kind):
                self.check_timer_is_the_apps(kind)

    def check_timer_is_the_apps(self, kind):
        # websocket_ping_interval: 0 from the YAML file, as a user sets it.
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write("websocket_ping_interval: 0\n")
        h = self.serve(kind, "-c", config)
        c = self.connect(h)
        # Exactly these frames, in order: no ping between them.
        self.assertEqual(c.recv_frame()[2:], (TEXT, b"timer start: HORNET_OK"))
        self.assertEqual(c.recv_frame()[2:], (TEXT, b"timer fired: HORNET_OK"))
        self.close_cleanly(c)
        # A client that closes while the app's timer runs: the timer's
        # callback comes after finish() and the worker serves on.
        c = self.connect(h, "/?ms=5000")
        self.assertEqual(c.recv_frame()[2:], (TEXT, b"timer start: HORNET_OK"))
        self.close_cleanly(c)
        c = self.connect(h, "/?ms=10")
        self.assertEqual(c.recv_frame()[2:], (TEXT, b"timer start: HORNET_OK"))
        self.assertEqual(c.recv_frame()[2:], (TEXT, b"timer fired: HORNET_OK"))
        self.close_cleanly(c)
        h.stop()

    def test_where_the_rule_does_not_arise(self):
        # sync and gthread offer no hornet.timer/1.
        for kind in ("sync", "gthread"):
            with self.subTest(kind):
                h = self.serve(kind)
                status, _, body = self.get(h)
                self.assertEqual((status, body), (501, b"no hornet.timer/1 under this worker type\n"))
                h.stop()


del ConformanceCase, PingTimeoutCase, ClientsCase, DrainCase

if __name__ == "__main__":
    unittest.main()
