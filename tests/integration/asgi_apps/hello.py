"""hello.py: the smallest ASGI 3 app (bench/asgi.sh's plain hello)."""


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"13")]})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


class Instance:
    """uvicorn's ASGI 3 class form: one instance per request, awaited."""

    def __init__(self, scope, receive, send):
        self.scope, self.send = scope, send

    def __await__(self):
        return self.run().__await__()

    async def run(self):
        if self.scope["type"] == "http":
            await self.send({"type": "http.response.start", "status": 200, "headers": []})
            await self.send({"type": "http.response.body", "body": b"Hello from an instance"})
