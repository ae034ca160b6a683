"""test_asgi.py: the asgi app (apps/asgi) under the async worker, against
the real daemon with real clients (http.client, httpx), and the test apps
in asgi_apps/: hornet's own spec checker (every scope key, message order,
errors, streaming, disconnect, lifespan state, the websocket scope and its
messages, the denial response), Debian's FastAPI and Starlette (HTTP and
WebSocket routes, driven by the websockets client) and Django's ASGI handler, an ASGI 2 app, an app without
lifespan support; plus the command line (`-k async main:app` recognised as
ASGI, --interface, uvicorn's worker class name), the refusal under
gthread and sync, a failed startup, shutdown on a graceful stop, and RSS
over many requests.
"""

import hashlib
import http.client
import importlib.util
import json
import os
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from harness import HornetTestCase, wait_until

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "asgi_apps")
ASGI_SO = os.path.join(harness.PLUGIN_DIR, "asgi.so")
NO_ASGI = "" if os.path.exists(ASGI_SO) else f"no {ASGI_SO}: built with -DHORNET_WSGI=OFF?"
HINT = "not importable by /usr/bin/python3: scripts/dev installs it"
HAVE = {m: importlib.util.find_spec(m) is not None
        for m in ("fastapi", "starlette", "django", "httpx", "multipart", "websockets")}


def lines(path):
    """A file's lines; none while it does not exist."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def ws_run(coro):
    """Runs a websockets-client coroutine, bounded in time."""
    import asyncio
    return asyncio.run(asyncio.wait_for(coro, 20))


def ws_status(port, path):
    """The HTTP status (and body) a WebSocket handshake to path gets."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    r = c.getresponse()
    out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read())
    c.close()
    return out


def asgi_args(spec, *extra):
    return ["-k", "async", "--pythonpath", APPS, *extra, spec]


def is_clean(log):
    return "Traceback" not in log and "terminate called" not in log


@unittest.skipIf(NO_ASGI, NO_ASGI)
class SpecApp(HornetTestCase):
    """One daemon for the class: the spec checker app, one worker."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="hornet-asgi-")
        cls.disconnect_file = os.path.join(cls.dir, "disconnect")
        cls.idle_file = os.path.join(cls.dir, "idle")
        cls.ws_file = os.path.join(cls.dir, "ws")
        env = {"SPEC_APP_DISCONNECT_FILE": cls.disconnect_file, "SPEC_APP_IDLE_FILE": cls.idle_file,
               "SPEC_APP_WS_FILE": cls.ws_file}
        cls.h = harness.Hornet(["-b", "127.0.0.1:0", "-w", "1", "--graceful-timeout", "5s",
                                *asgi_args("spec_app:app")], cls.dir, env=env)
        cls.h.start()
        cls.h.wait_ready(1)

    @classmethod
    def tearDownClass(cls):
        cls.h.stop()

    def scope(self, path="/scope", **kw):
        status, _, body = self.get(self.h, path, **kw)
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual(doc["problems"], [])
        return doc

    def test_every_scope_key(self):
        doc = self.scope("/scope/a%20b/%C3%A9?x=1&y=%20", headers={"X-Mixed-Case": "Value", "X-Two": "a"})
        s = doc["scope"]
        self.assertEqual(s["type"], "http")
        self.assertEqual(s["asgi"], {"version": "3.0", "spec_version": "2.3"})
        self.assertEqual(s["http_version"], "1.1")
        self.assertEqual(s["method"], "GET")
        self.assertEqual(s["scheme"], "http")
        self.assertEqual(s["path"], "/scope/a b/\u00e9")
        self.assertEqual(s["raw_path"], "/scope/a%20b/%C3%A9")
        self.assertEqual(s["query_string"], "x=1&y=%20")
        self.assertEqual(s["root_path"], "")
        self.assertIn(["x-mixed-case", "Value"], s["headers"])
        self.assertEqual(s["client"][0], "127.0.0.1")
        self.assertEqual(s["server"], ["127.0.0.1", self.h.port])
        self.assertEqual(s["state"], ["started"])
        self.assertEqual(doc["messages"], ["http.request"])

    def test_headers_in_arrival_order_with_repeats(self):
        c = socket.create_connection(("127.0.0.1", self.h.port), timeout=10)
        c.sendall(b"GET /scope HTTP/1.1\r\nHost: x\r\nB: 1\r\nA: 2\r\nB: 3\r\nConnection: close\r\n\r\n")
        with harness.Reader(c) as r:
            resp = harness.read_response(r)
        headers = json.loads(resp.body)["scope"]["headers"]
        self.assertEqual(headers, [["host", "x"], ["b", "1"], ["a", "2"], ["b", "3"], ["connection", "close"]])

    def test_body_in_messages_with_more_body(self):
        body = os.urandom(300_000)
        status, headers, echoed = self.get(self.h, "/echo", method="POST", body=body)
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("transfer-encoding"), "chunked")
        self.assertEqual(hashlib.sha256(echoed).hexdigest(), hashlib.sha256(body).hexdigest())

    def test_chunked_request_body(self):
        c = http.client.HTTPConnection("127.0.0.1", self.h.port, timeout=10)
        c.request("POST", "/scope", body=iter([b"ab", b"cd", b"ef"]), encode_chunked=True)
        doc = json.loads(c.getresponse().read())
        c.close()
        self.assertEqual(doc["body"], "abcdef")
        self.assertEqual(doc["messages"][-1], "http.request")

    def test_http10_and_keep_alive(self):
        with harness.open_reader(self.h.port) as r:
            for _ in range(3):
                resp = harness.keep_alive_get(r, "/state")
                self.assertEqual(resp.status, 200)
                self.assertEqual(json.loads(resp.body), {"started": 1})
        resp, reader = harness.exchange(self.h.port, b"GET /scope HTTP/1.0\r\n\r\n")
        reader.close()
        self.assertEqual(json.loads(resp.body)["scope"]["http_version"], "1.0")

    def test_streamed_response(self):
        status, headers, body = self.get(self.h, "/stream?n=5")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"".join(b"chunk %d\n" % i for i in range(5)))

    def test_pathsend_sends_the_file(self):
        status, headers, body = self.get(self.h, "/pathsend")
        with open(os.path.join(APPS, "spec_app.py"), "rb") as f:
            self.assertEqual((status, body), (200, f.read()))

    def trailers_get(self, path, te=True):
        te_line = b"TE: trailers\r\n" if te else b""
        resp, reader = harness.exchange(self.h.port, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + te_line
                                        + b"\r\n")
        reader.close()
        return resp

    def test_response_trailers(self):
        """ASGI's http.response.trailers: offered in the scope, sent after
        the last chunk to a client that said TE: trailers (also when the
        trailers message itself ends the body), dropped for one that did
        not; a promise never kept still ends the response."""
        for path in ("/trailers", "/trailers/late"):
            r = self.trailers_get(path)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers.get("transfer-encoding"), "chunked")
            self.assertEqual(r.headers.get("trailer"), "x-checksum, x-count")
            self.assertTrue(r.body.startswith(b"offered\n"), r.body)
            self.assertEqual(r.trailers, {"x-checksum": hashlib.sha256(r.body).hexdigest(), "x-count": "2"}, path)
        r = self.trailers_get("/trailers", te=False)
        self.assertEqual((r.body, r.trailers), (b"offered\nabcd", {}))
        r = self.trailers_get("/trailers/none")
        self.assertEqual((r.body, r.trailers), (b"offered\nabcd", {}))
        self.assertIn("http.response.trailers", self.scope()["scope"]["extensions"])

    def test_response_trailers_with_curl(self):
        out = subprocess.run(["curl", "-sS", "--raw", "-H", "TE: trailers", f"{self.h.url}/trailers"],
                             capture_output=True, timeout=20, check=True).stdout
        digest = hashlib.sha256(b"offered\nabcd").hexdigest().encode()
        self.assertTrue(out.endswith(b"\r\n0\r\nx-checksum: " + digest + b"\r\nx-count: 2\r\n\r\n"), out)

    def test_trailers_without_the_promise_are_a_protocol_error(self):
        status, _, body = self.get(self.h, "/trailers/unasked")
        self.assertEqual((status, body), (200, b"survived"))
        self.assertEqual(len(self.h.wait_log(r"http\.response\.trailers without trailers: true")), 1)

    def test_exception_before_start_is_500_with_traceback(self):
        status, _, _ = self.get(self.h, "/raise")
        self.assertEqual(status, 500)
        self.h.wait_log(r"spec_app raised before the start")
        self.assertIn("Traceback", self.h.log())

    def test_exception_after_start_cuts_the_connection(self):
        c = http.client.HTTPConnection("127.0.0.1", self.h.port, timeout=10)
        c.request("GET", "/raise-late")
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        with self.assertRaises(http.client.IncompleteRead):
            r.read()
        c.close()
        self.assertEqual(self.get(self.h, "/state")[0], 200)  # the worker lives on

    def test_no_response_is_500_once_logged(self):
        for _ in range(2):
            self.assertEqual(self.get(self.h, "/no-response")[0], 500)
        self.assertEqual(len(self.h.wait_log(r"returned without starting a response")), 1)

    def test_the_app_runs_in_an_asyncio_task(self):
        status, _, body = self.get(self.h, "/task")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {"name": "hornet.asgi", "state": "CORO_RUNNING", "qualname": "app",
                                            "tasks": True})

    def test_a_task_cancelled_mid_body_ends_the_body(self):
        status, _, body = self.get(self.h, "/cancel-self")
        self.assertEqual((status, body), (200, b"partial"))
        self.assertEqual(self.get(self.h, "/state")[0], 200)  # the worker lives on
        self.assertNotIn("never retrieved", self.h.log())

    def test_protocol_errors_logged_once_and_worker_lives(self):
        for path in ("/start-twice", "/start-twice", "/receive-twice", "/receive-twice"):
            status, _, body = self.get(self.h, path, method="POST", body=b"abc")
            self.assertEqual((status, body), (200, b"survived"), path)
        # the lines reach the harness through a pipe: wait for them, then count
        self.assertEqual(len(self.h.wait_log(r"a second http\.response\.start")), 1)
        self.assertEqual(len(self.h.wait_log(r"receive\(\) called while an earlier receive\(\)")), 1)

    def test_disconnect_mid_response(self):
        c = socket.create_connection(("127.0.0.1", self.h.port), timeout=10)
        c.sendall(b"GET /hang-stream HTTP/1.1\r\nHost: x\r\n\r\n")
        c.recv(65536)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()  # RST: the stream's next writes fail
        self.assertTrue(wait_until(lambda: os.path.exists(self.disconnect_file), 10),
                        "the app never saw http.disconnect")
        with open(self.disconnect_file) as f:
            self.assertEqual(f.read(), "http.disconnect")

    def test_disconnect_while_idle(self):
        """A client that sends a request and closes: the app, waiting in
        receive() with the body read and nothing sent, gets http.disconnect
        (the worker's watch_peer), also with bytes of a pipelined request
        still unread and after a half-close."""
        sends = [(b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\n", "close"),
                 (b"POST /idle HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "shutdown"),
                 (b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\nGET /scope HTTP/1.1\r\nHost: x\r\n\r\n", "close")]
        before = len(lines(self.idle_file))
        for i, (data, how) in enumerate(sends, 1):
            c = socket.create_connection(("127.0.0.1", self.h.port), timeout=10)
            c.sendall(data)
            # the app waits in receive() once the request is in: a request from
            # another connection, answered, shows the worker has read this one
            self.assertEqual(self.get(self.h, "/state")[0], 200)
            if how == "shutdown":
                c.shutdown(socket.SHUT_WR)
            c.close()
            self.assertTrue(wait_until(lambda: len(lines(self.idle_file)) == before + i, 10),
                            f"request {i} ({how}): the app never saw http.disconnect")
        self.assertEqual(lines(self.idle_file)[before:], ["http.disconnect"] * 3)

    def test_keep_alive_after_watched_streams(self):
        """A streamed response has the worker watch the client; the watch
        outlives the request on a kept-alive connection without harm."""
        c = http.client.HTTPConnection("127.0.0.1", self.h.port, timeout=10)
        got = []
        for path in ("/stream?n=3", "/stream?n=2", "/scope", "/stream?n=1"):
            c.request("GET", path)
            r = c.getresponse()
            got.append((r.status, len(r.read())))
        c.request("POST", "/echo", body=b"x" * 100_000)
        r = c.getresponse()
        got.append((r.status, len(r.read())))
        c.close()
        self.assertEqual([g[0] for g in got], [200] * 5)
        self.assertEqual([got[0][1], got[1][1], got[3][1], got[4][1]], [24, 16, 8, 100_000])

    def test_websocket_scope_and_message_order(self):
        import websockets

        async def talk():
            async with websockets.connect(f"ws://127.0.0.1:{self.h.port}/ws/a%20b?x=1",
                                          subprotocols=["chat", "superchat"],
                                          extra_headers={"X-Mixed-Case": "Value"}) as ws:
                doc = json.loads(await ws.recv())
                return ws.subprotocol, ws.response_headers.get("x-accepted"), doc
        sub, accepted, doc = ws_run(talk())
        self.assertEqual((sub, accepted), ("chat", "1"))
        self.assertEqual(doc["problems"], [])
        self.assertEqual(doc["messages"], ["websocket.connect"])
        s = doc["scope"]
        self.assertEqual(s["type"], "websocket")
        self.assertEqual(s["asgi"], {"version": "3.0", "spec_version": "2.4"})
        self.assertEqual((s["http_version"], s["scheme"]), ("1.1", "ws"))
        self.assertEqual((s["path"], s["raw_path"], s["query_string"]), ("/ws/a b", "/ws/a%20b", "x=1"))
        self.assertEqual(s["root_path"], "")
        self.assertEqual(s["subprotocols"], ["chat", "superchat"])
        self.assertIn(["x-mixed-case", "Value"], s["headers"])
        self.assertIn(["upgrade", "websocket"], s["headers"])
        self.assertEqual(s["client"][0], "127.0.0.1")
        self.assertEqual(s["server"], ["127.0.0.1", self.h.port])
        self.assertEqual(s["state"], ["started"])
        self.assertEqual(s["extensions"], {"websocket.http.response": {}})

    def test_websocket_echo_and_close_with_code_and_reason(self):
        import websockets

        async def talk():
            async with websockets.connect(f"ws://127.0.0.1:{self.h.port}/ws") as ws:
                await ws.recv()
                got = []
                for m in ["hello", b"\x00\xffbytes", "x" * 200_000, "\u00e9t\u00e9"]:
                    await ws.send(m)
                    got.append(await ws.recv())
                await ws.send("close")
                try:
                    await ws.recv()
                except websockets.ConnectionClosed as e:
                    return got, e.rcvd.code, e.rcvd.reason
        got, code, reason = ws_run(talk())
        self.assertEqual(got, ["hello", b"\x00\xffbytes", "x" * 200_000, "\u00e9t\u00e9"])
        self.assertEqual((code, reason), (4000, "bye"))
        # the client answered the close: the app's receive() gives it
        self.assertTrue(wait_until(lambda: "disconnect 4000 'bye'" in lines(self.ws_file), 10),
                        lines(self.ws_file))

    def test_websocket_client_going_away(self):
        import websockets
        before = lines(self.ws_file).count("disconnect 1006 'the connection ended without a close frame'")

        async def vanish():
            ws = await websockets.connect(f"ws://127.0.0.1:{self.h.port}/ws")
            await ws.recv()
            ws.transport.abort()  # no close frame: a reset
        ws_run(vanish())
        self.assertTrue(wait_until(lambda: lines(self.ws_file).count(
            "disconnect 1006 'the connection ended without a close frame'") == before + 1, 10),
            lines(self.ws_file))

        async def closes():
            async with websockets.connect(f"ws://127.0.0.1:{self.h.port}/ws") as ws:
                await ws.recv()
                await ws.close(code=4321, reason="leaving")
        ws_run(closes())
        self.assertTrue(wait_until(lambda: "disconnect 4321 'leaving'" in lines(self.ws_file), 10),
                        lines(self.ws_file))

    def test_websocket_denial_close_early_raise_and_return(self):
        status, headers, body = ws_status(self.h.port, "/ws/deny")
        self.assertEqual((status, headers.get("x-denied"), body), (401, "yes", b"denied here"))
        self.assertEqual(ws_status(self.h.port, "/ws/close-early")[0], 403)
        self.assertEqual(ws_status(self.h.port, "/ws/return")[0], 403)
        self.assertEqual(ws_status(self.h.port, "/ws/raise")[0], 500)
        self.assertTrue(wait_until(lambda: "spec_app raised before accepting" in self.h.log(), 10))
        # a handshake that is wrong is refused by the worker; the app never sees it
        c = http.client.HTTPConnection("127.0.0.1", self.h.port, timeout=10)
        c.request("GET", "/ws", headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                         "Sec-WebSocket-Version": "8", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        r = c.getresponse()
        self.assertEqual((r.status, r.getheader("sec-websocket-version")), (426, "13"))
        c.close()

    def test_many_concurrent_requests(self):
        import concurrent.futures
        def one(i):
            return self.get(self.h, "/sleep")[2]
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            results = list(pool.map(one, range(200)))
        self.assertEqual(results, [b"slept"] * 200)

    def test_httpx_client(self):
        if not HAVE["httpx"]:
            self.fail(f"httpx {HINT}")
        import httpx
        with httpx.Client(base_url=f"http://127.0.0.1:{self.h.port}") as client:
            r = client.post("/echo", content=b"hello httpx")
            self.assertEqual(r.content, b"hello httpx")
            self.assertEqual(r.headers["x-echo"], "1")


@unittest.skipIf(NO_ASGI, NO_ASGI)
class Frameworks(HornetTestCase):
    def test_fastapi(self):
        for m in ("fastapi", "multipart", "httpx"):
            if not HAVE[m]:
                self.fail(f"{m} {HINT}")
        import httpx
        marker = os.path.join(self.tmp, "shutdown")
        h = self.daemon(asgi_args("fastapi_app:app"), workers=1, env={"FASTAPI_SHUTDOWN_FILE": marker})
        with httpx.Client(base_url=f"http://127.0.0.1:{h.port}", timeout=10) as c:
            self.assertEqual(c.get("/").text, "Hello, world!")
            self.assertEqual(c.get("/items/7?q=hi", headers={"x-token": "abc"}).json(),
                             {"item_id": 7, "q": "hi", "token": "ABC", "events": ["startup"]})
            self.assertEqual(c.get("/items/nope").status_code, 422)
            self.assertEqual(c.post("/items", json={"name": "pen", "price": 1.5}).json(),
                             {"name": "pen", "price": 1.5, "total": 3.0})
            self.assertEqual(c.post("/background").json(), {"queued": True})
            self.assertTrue(wait_until(lambda: c.get("/background").json() == {"done": ["ran"]}, 10))
            self.assertEqual(c.get("/stream").text, "".join(f"part {i}\n" for i in range(5)))
            data = os.urandom(200_000)
            r = c.post("/upload", files={"file": ("blob.bin", data)})
            self.assertEqual(r.json(), {"filename": "blob.bin", "size": len(data),
                                        "sha256": hashlib.sha256(data).hexdigest()})
            self.assertEqual(c.get("/sync").json(), {"sync": True})
        h.stop()
        with open(marker) as f:
            self.assertEqual(f.read(), "shutdown")
        self.assertTrue(is_clean(h.log()), h.log())

    def test_fastapi_websocket(self):
        for m in ("fastapi", "websockets"):
            if not HAVE[m]:
                self.fail(f"{m} {HINT}")
        import websockets
        gone = os.path.join(self.tmp, "ws-gone")
        h = self.daemon(asgi_args("fastapi_app:app"), workers=1, env={"FASTAPI_WS_GONE_FILE": gone})

        async def talk():
            url = f"ws://127.0.0.1:{h.port}/ws/lobby"
            async with websockets.connect(url, subprotocols=["v1"], extra_headers={"x-token": "t"}) as ws:
                hello = json.loads(await ws.recv())
                await ws.send("hi")
                echo = await ws.recv()
                await ws.send("bye")
                try:
                    await ws.recv()
                except websockets.ConnectionClosed as e:
                    closed = e.rcvd.code
                return ws.subprotocol, hello, echo, closed
        sub, hello, echo, closed = ws_run(talk())
        self.assertEqual(sub, "v1")
        self.assertEqual(hello, {"room": "lobby", "token": "T", "subprotocols": ["v1"]})
        self.assertEqual((echo, closed), ("lobby: hi", 4001))

        async def vanish():
            ws = await websockets.connect(f"ws://127.0.0.1:{h.port}/ws/x")
            await ws.recv()
            await ws.close(code=1001)
        ws_run(vanish())
        self.assertTrue(wait_until(lambda: lines(gone) == ["1001"], 10))
        self.assertTrue(is_clean(h.log()), h.log())

    def test_starlette_websocket(self):
        for m in ("starlette", "websockets"):
            if not HAVE[m]:
                self.fail(f"{m} {HINT}")
        import websockets
        h = self.daemon(asgi_args("starlette_app:app"), workers=1)

        async def talk():
            async with websockets.connect(f"ws://127.0.0.1:{h.port}/ws/bytes") as ws:
                await ws.send(b"abc")
                got = [await ws.recv()]
            async with websockets.connect(f"ws://127.0.0.1:{h.port}/ws/text") as ws:
                got.append(await ws.recv())  # lifespan state, in the websocket scope too
                await ws.send("shout")
                got.append(await ws.recv())
            return got
        self.assertEqual(ws_run(talk()), [b"cba", "connected", "SHOUT"])
        self.assertEqual(ws_status(h.port, "/nowhere")[0], 403)  # no route: Starlette closes before accept
        self.assertTrue(is_clean(h.log()), h.log())

    def test_starlette(self):
        if not HAVE["starlette"]:
            self.fail(f"starlette {HINT}")
        h = self.daemon(asgi_args("starlette_app:app", "--app-config", "root_path=/root"), workers=1)
        self.assertEqual(self.get(h, "/")[2], b"Hello, world!")
        self.assertEqual(self.get(h, "/stream")[2], b"".join(b"line %d\n" % i for i in range(4)))
        status, headers, body = self.get(h, "/file")
        with open(os.path.join(APPS, "starlette_app.py"), "rb") as f:
            self.assertEqual(body, f.read())
        self.assertEqual(headers["content-length"], str(len(body)))
        self.assertEqual(json.loads(self.get(h, "/state")[2])["pool"], "connected")
        sub = json.loads(self.get(h, "/api/thing")[2])
        self.assertEqual(sub["sub"], "thing")
        self.assertTrue(is_clean(h.log()), h.log())

    def test_django_async_views(self):
        if not HAVE["django"]:
            self.fail(f"django {HINT}")
        h = self.daemon(asgi_args("djasync.asgi:application"), workers=1)
        self.assertEqual(self.get(h, "/")[2], b"Hello from async Django")
        self.assertEqual(json.loads(self.get(h, "/sync/?q=1")[2]), {"path": "/sync/", "q": "1"})
        status, _, body = self.get(h, "/post/", method="POST", body=b'{"a": 1}',
                                   headers={"Content-Type": "application/json"})
        self.assertEqual(json.loads(body), {"json": {"a": 1}})


@unittest.skipIf(NO_ASGI, NO_ASGI)
class CommandLine(HornetTestCase):
    def test_module_callable_under_async_is_served_as_asgi(self):
        h = self.daemon(asgi_args("hello:app"), workers=1)
        self.assertEqual(self.get(h, "/")[2], b"Hello, world!")
        self.assertRegex(h.log(), r"asgi")

    def test_a_class_whose_instances_are_awaitable(self):
        h = self.daemon(asgi_args("hello:Instance"), workers=1)
        self.assertEqual(self.get(h, "/")[::2], (200, b"Hello from an instance"))

    def test_uvicorn_worker_class_name(self):
        h = self.daemon(["-k", "uvicorn.workers.UvicornWorker", "--pythonpath", APPS, "asgi2_app:app"], workers=1)
        self.assertEqual(self.get(h, "/x")[2], b"asgi2 /x")  # ASGI 2: forced by the worker class

    def test_interface_asgi_for_an_asgi2_app(self):
        h = self.daemon(asgi_args("asgi2_app:app", "--interface", "asgi"), workers=1)
        self.assertEqual(self.get(h, "/y")[2], b"asgi2 /y")

    def test_print_config_names_the_asgi_app(self):
        rc, out, err = harness.run_once(asgi_args("hello:app", "--print-config"), self.tmp)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"(?m)^app: asgi$")

    def test_gthread_refuses_with_one_line(self):
        for kind in ("gthread", "sync"):
            h = self.daemon(["-k", kind, "--pythonpath", APPS, "--interface", "asgi", "hello:app"],
                            workers=1, ready=False)
            self.assertEqual(h.wait_exit(), 2)
            self.assertOneErrorLine(h.log(), "needs the async worker type", "-k async")

    def test_failed_startup_is_a_boot_failure_with_the_message(self):
        h = self.daemon(asgi_args("spec_app:app"), workers=1, ready=False, env={"SPEC_APP_FAIL_STARTUP": "1"})
        self.assertNotEqual(h.wait_exit(20), None)
        self.assertIn("the database is not there", h.log())

    def test_app_without_lifespan_carries_on(self):
        h = self.daemon(asgi_args("no_lifespan:app"), workers=1)
        self.assertEqual(self.get(h, "/")[2], b"no lifespan here")
        self.assertNotIn("Traceback", h.log())

    def test_shutdown_runs_on_graceful_stop(self):
        marker = os.path.join(self.tmp, "shutdown")
        h = self.daemon(asgi_args("spec_app:app"), workers=2, env={"SPEC_APP_SHUTDOWN_FILE": marker})
        pids = set(h.workers())
        h.stop()
        with open(marker) as f:
            self.assertEqual({int(l.split()[1]) for l in f}, pids)


@unittest.skipIf(NO_ASGI, NO_ASGI)
class Memory(HornetTestCase):
    def test_rss_flat_over_many_requests(self):
        h = self.daemon(asgi_args("spec_app:app"), workers=1)
        (pid,) = h.workers()

        def rss():
            with open(f"/proc/{pid}/status") as f:
                return next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))

        def burst(n):
            with harness.open_reader(h.port) as r:
                for _ in range(n):
                    r.sock.sendall(b"POST /scope?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
                    self.assertEqual(harness.read_response(r).status, 200)

        burst(500)  # warm: caches, arenas, free lists
        before = rss()
        burst(1500)
        grown = rss() - before
        # A leaked scope, channel or task is over 1 KiB: 1500 of them would
        # be over 1.5 MiB.
        self.assertLess(grown, 1024, f"RSS grew {grown} KiB over 1500 requests")


if __name__ == "__main__":
    harness.main()
