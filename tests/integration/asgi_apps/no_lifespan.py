"""no_lifespan.py: an ASGI app that knows only http (uvicorn's 'auto'
case: it raises on the lifespan scope, and serving goes on)."""


async def app(scope, receive, send):
    assert scope["type"] == "http", "this app has no lifespan support"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"no lifespan here"})
