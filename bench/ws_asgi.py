"""bench/ws_asgi.py: the uvicorn peer for bench/websocket.sh, a minimal ASGI
app: WebSocket echo on any path, a chat room on /chat (every message to
every member), 200 for plain HTTP.

    uvicorn --ws websockets --app-dir bench ws_asgi:app
"""

room = set()


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            event = (await receive())["type"]
            await send({"type": event + ".complete"})
            if event == "lifespan.shutdown":
                return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"3")]})
        await send({"type": "http.response.body", "body": b"ok\n"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    chat = scope["path"] == "/chat"
    if chat:
        room.add(send)
    try:
        while True:
            m = await receive()
            if m["type"] == "websocket.disconnect":
                return
            out = {"type": "websocket.send", "bytes": m.get("bytes"), "text": m.get("text")}
            if not chat:
                await send(out)
                continue
            for member in list(room):
                await member(out)
    finally:
        room.discard(send)
