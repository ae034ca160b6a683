"""spec_app.py: an ASGI 3 app of hornet's own that checks what the server
gives it against the ASGI spec (2.3) and answers with what it saw.

Routes: /scope (the scope as JSON, after checking every key's type),
/echo (the body streamed back as it arrives, with the message sequence),
/stream?n=N (N chunks), /raise (before the start), /raise-late (after it),
/no-response, /task (the app's asyncio task), /cancel-self (cancels its
task mid-body), /start-twice, /receive-twice, /hang-stream (streams until the
client goes away, then writes DISCONNECT_FILE), /idle (reads the body,
then waits on receive() without answering: writes IDLE_FILE with what
came, once the client goes away), /state (lifespan state), /sleep (awaits
asyncio.sleep), /pathsend (this file, by the http.response.pathsend
extension), /trailers (the http.response.trailers extension: trailers: true,
"ab" and "cd" streamed, then x-checksum (the body's sha256) with
more_trailers and x-count; the body's first line says whether the scope
offered the extension), /trailers/late (the body's end is the trailers
message itself, with no final http.response.body), /trailers/unasked (a
trailers message without trailers: true is a RuntimeError; then
"survived"), /trailers/none (promised, never sent: the response still
ends). Lifespan: startup puts a counter in state.

WebSocket (spec 2.4): /ws (checks every websocket scope key, accepts with
the first offered subprotocol and a header, sends the scope and the
message order as JSON, then echoes text and bytes; "close" makes it close
with 4000 "bye"; the disconnect it sees goes to WS_FILE), /ws/deny (the
denial response extension: 401 and a body), /ws/close-early (close before
accept: 403), /ws/raise (raises before accept: 500), /ws/return (returns
without accepting: 403).
"""

import asyncio
import hashlib
import json
import os

SCOPE_TYPES = {
    "type": str, "asgi": dict, "http_version": str, "method": str, "scheme": str,
    "path": str, "raw_path": bytes, "query_string": bytes, "root_path": str,
    "headers": list, "client": (tuple, type(None)), "server": (tuple, type(None)),
    "state": dict,
}


WS_SCOPE_TYPES = {
    "type": str, "asgi": dict, "http_version": str, "scheme": str, "path": str, "raw_path": bytes,
    "query_string": bytes, "root_path": str, "headers": list, "client": (tuple, type(None)),
    "server": (tuple, type(None)), "subprotocols": list, "state": dict, "extensions": dict,
}


def check_scope(scope, types=SCOPE_TYPES):
    problems = []
    for key, kind in types.items():
        if key not in scope:
            problems.append(f"missing {key}")
        elif not isinstance(scope[key], kind):
            problems.append(f"{key} is {type(scope[key]).__name__}")
    for pair in scope.get("headers", []):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(p, bytes) for p in pair)):
            problems.append(f"header {pair!r} is not a pair of bytes")
        elif pair[0] != pair[0].lower():
            problems.append(f"header name {pair[0]!r} is not lower-case")
    if scope.get("asgi", {}).get("version") != "3.0":
        problems.append("asgi.version is not 3.0")
    return problems


def jsonable(scope):
    out = {}
    for k, v in scope.items():
        if isinstance(v, bytes):
            v = v.decode("latin-1")
        elif k == "headers":
            v = [[a.decode("latin-1"), b.decode("latin-1")] for a, b in v]
        elif k == "state":
            v = sorted(v)
        out[k] = v
    return out


async def respond(send, status, body, headers=()):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")] + list(headers)})
    await send({"type": "http.response.body", "body": body})


async def read_all(receive):
    body, messages = b"", []
    while True:
        m = await receive()
        messages.append(m["type"])
        assert m["type"] == "http.request", m
        body += m.get("body", b"")
        if not m.get("more_body", False):
            return body, messages


async def lifespan(scope, receive, send):
    while True:
        m = await receive()
        if m["type"] == "lifespan.startup":
            scope["state"]["started"] = 1
            if os.environ.get("SPEC_APP_FAIL_STARTUP"):
                await send({"type": "lifespan.startup.failed", "message": "the database is not there"})
                return
            await send({"type": "lifespan.startup.complete"})
        elif m["type"] == "lifespan.shutdown":
            path = os.environ.get("SPEC_APP_SHUTDOWN_FILE")
            if path:
                with open(path, "a") as f:
                    f.write(f"shutdown {os.getpid()}\n")
            await send({"type": "lifespan.shutdown.complete"})
            return


def check_ws_scope(scope):
    problems = check_scope(scope, WS_SCOPE_TYPES)
    if "method" in scope:
        problems.append("a websocket scope has no method")
    if scope.get("asgi", {}).get("spec_version") != "2.4":
        problems.append("asgi.spec_version is not 2.4")
    if scope.get("scheme") not in ("ws", "wss"):
        problems.append(f"scheme {scope.get('scheme')!r}")
    if "websocket.http.response" not in scope.get("extensions", {}):
        problems.append("no websocket.http.response extension")
    if not all(isinstance(p, str) for p in scope.get("subprotocols", [])):
        problems.append("subprotocols are not str")
    return problems


def note(env, text):
    path = os.environ.get(env)
    if path:
        with open(path, "a") as f:
            f.write(text + "\n")


async def websocket(scope, receive, send):
    path = scope["path"]
    messages = []
    first = await receive()
    messages.append(first["type"])
    if path == "/ws/deny":
        await send({"type": "websocket.http.response.start", "status": 401,
                    "headers": [(b"content-type", b"text/plain"), (b"x-denied", b"yes")]})
        await send({"type": "websocket.http.response.body", "body": b"denied", "more_body": True})
        return await send({"type": "websocket.http.response.body", "body": b" here"})
    if path == "/ws/close-early":
        return await send({"type": "websocket.close"})
    if path == "/ws/raise":
        raise ValueError("spec_app raised before accepting")
    if path == "/ws/return":
        return
    offered = scope["subprotocols"]
    await send({"type": "websocket.accept", "subprotocol": offered[0] if offered else None,
                "headers": [(b"x-accepted", b"1")]})
    doc = {"problems": check_ws_scope(scope), "scope": jsonable(scope), "messages": messages}
    await send({"type": "websocket.send", "text": json.dumps(doc)})
    while True:
        m = await receive()
        if m["type"] == "websocket.disconnect":
            note("SPEC_APP_WS_FILE", f"disconnect {m['code']} {m.get('reason', '')!r}")
            return
        assert m["type"] == "websocket.receive", m
        if m.get("text") == "close":
            await send({"type": "websocket.close", "code": 4000, "reason": "bye"})
        elif m.get("text") is not None:
            await send({"type": "websocket.send", "text": m["text"]})
        else:
            await send({"type": "websocket.send", "bytes": m["bytes"]})


async def trailers(scope, send, path):
    if path == "/trailers/unasked":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            await send({"type": "http.response.trailers", "headers": [(b"x-a", b"1")]})
        except RuntimeError:
            pass
        return await send({"type": "http.response.body", "body": b"survived"})
    offered = b"offered\n" if "http.response.trailers" in scope["extensions"] else b"not offered\n"
    await send({"type": "http.response.start", "status": 200, "trailers": True,
                "headers": [(b"trailer", b"x-checksum, x-count")]})
    await send({"type": "http.response.body", "body": offered + b"ab", "more_body": True})
    if path == "/trailers/none":
        return await send({"type": "http.response.body", "body": b"cd"})
    if path != "/trailers/late":
        await send({"type": "http.response.body", "body": b"cd"})
    digest = hashlib.sha256(offered + b"ab" + (b"" if path == "/trailers/late" else b"cd")).hexdigest()
    await send({"type": "http.response.trailers", "headers": [(b"x-checksum", digest.encode())],
                "more_trailers": True})
    await send({"type": "http.response.trailers", "headers": [(b"x-count", b"2")]})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        return await lifespan(scope, receive, send)
    if scope["type"] == "websocket":
        return await websocket(scope, receive, send)
    path = scope["path"]
    if path == "/scope" or path.startswith("/scope/"):
        body, messages = await read_all(receive)
        doc = {"problems": check_scope(scope), "scope": jsonable(scope), "messages": messages,
               "body": body.decode("latin-1")}
        return await respond(send, 200, json.dumps(doc).encode())
    if path == "/echo":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-echo", b"1")]})
        count = 0
        while True:
            m = await receive()
            count += 1
            more = m.get("more_body", False)
            await send({"type": "http.response.body", "body": m.get("body", b""), "more_body": True})
            if not more:
                break
        return await send({"type": "http.response.body", "body": b"", "more_body": False})
    if path == "/stream":
        n = int(scope["query_string"].decode().partition("=")[2] or 3)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(n):
            await send({"type": "http.response.body", "body": b"chunk %d\n" % i, "more_body": True})
        return await send({"type": "http.response.body", "body": b""})
    if path == "/raise":
        raise ValueError("spec_app raised before the start")
    if path == "/raise-late":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise ValueError("spec_app raised after the start")
    if path == "/no-response":
        return
    if path == "/task":  # the task the app runs in, as asyncio and inspect see it
        import inspect
        task = asyncio.current_task()
        doc = {"name": task.get_name(), "state": inspect.getcoroutinestate(task.get_coro()),
               "qualname": task.get_coro().__qualname__, "tasks": task in asyncio.all_tasks()}
        return await respond(send, 200, json.dumps(doc).encode())
    if path == "/cancel-self":  # cancelled mid-body: the body ends there
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        asyncio.current_task().cancel()
        await asyncio.sleep(0)
    if path == "/start-twice":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        except RuntimeError:
            pass
        return await send({"type": "http.response.body", "body": b"survived"})
    if path == "/receive-twice":
        await read_all(receive)
        waiting = receive()  # the disconnect, once the response is out
        try:
            receive()  # while `waiting` has not completed: a protocol error
        except RuntimeError:
            pass
        await respond(send, 200, b"survived")
        assert (await waiting)["type"] == "http.disconnect"
        return
    if path == "/hang-stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        waiter = asyncio.ensure_future(receive())
        while True:
            await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})
            if waiter.done():
                m = waiter.result()
                if m["type"] == "http.request":
                    waiter = asyncio.ensure_future(receive())
                    continue
                with open(os.environ["SPEC_APP_DISCONNECT_FILE"], "w") as f:
                    f.write(m["type"])
                return
            await asyncio.sleep(0)
    if path == "/pathsend":
        assert "http.response.pathsend" in scope["extensions"]
        size = os.path.getsize(__file__)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(size).encode())]})
        return await send({"type": "http.response.pathsend", "path": __file__})
    if path.startswith("/trailers"):
        return await trailers(scope, send, path)
    if path == "/idle":
        await read_all(receive)
        m = await receive()  # nothing is sent: only the client's leaving ends this
        note("SPEC_APP_IDLE_FILE", m["type"])
        return
    if path == "/state":
        return await respond(send, 200, json.dumps(scope["state"]).encode())
    if path == "/sleep":
        await asyncio.sleep(0.05)
        return await respond(send, 200, b"slept")
    return await respond(send, 404, b'{"error": "no such route"}')
