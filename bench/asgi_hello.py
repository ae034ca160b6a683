"""bench/asgi.sh's plain ASGI 3 hello: GET / -> 200 text, fixed length."""

BODY = b"Hello, World!\n"
START = {"type": "http.response.start", "status": 200,
         "headers": [(b"content-type", b"text/plain"), (b"content-length", b"14")]}
END = {"type": "http.response.body", "body": BODY}


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send(START)
    await send(END)
