"""bench/asgi.sh's streamed echo: the request body back, chunk by chunk as
it arrives (more_body), chunked; GET / answers 'Hello, World!' for the
readiness check."""


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    if scope["method"] != "POST":
        await send({"type": "http.response.body", "body": b"Hello, World!\n"})
        return
    while True:
        m = await receive()
        more = m.get("more_body", False)
        await send({"type": "http.response.body", "body": m.get("body", b""), "more_body": more})
        if not more:
            return
