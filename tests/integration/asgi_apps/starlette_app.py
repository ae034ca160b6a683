"""starlette_app.py: Debian's Starlette (0.26): StreamingResponse,
FileResponse, a Mount, lifespan state, and a WebSocketRoute (bytes and
text echo)."""

import contextlib
import os

from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket

FILE = os.environ.get("STARLETTE_FILE", __file__)


async def hello(request):
    return PlainTextResponse("Hello, world!")


async def stream(request):
    async def parts():
        for i in range(4):
            yield f"line {i}\n".encode()
    return StreamingResponse(parts(), media_type="text/plain")


async def file(request):
    return FileResponse(FILE)


async def state(request):
    return JSONResponse({"pool": request.state.pool, "root_path": request.scope["root_path"],
                         "path": request.url.path})


async def sub(request):
    return JSONResponse({"sub": request.path_params["name"], "root_path": request.scope["root_path"]})


async def echo(websocket: WebSocket):
    await websocket.accept()
    async for message in websocket.iter_bytes():
        await websocket.send_bytes(message[::-1])


async def echo_text(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text(websocket.state.pool)
    async for message in websocket.iter_text():
        await websocket.send_text(message.upper())


@contextlib.asynccontextmanager
async def lifespan(app):
    yield {"pool": "connected"}


app = Starlette(routes=[
    Route("/", hello),
    Route("/stream", stream),
    Route("/file", file),
    Route("/state", state),
    Mount("/api", routes=[Route("/{name}", sub)]),
    WebSocketRoute("/ws/bytes", echo),
    WebSocketRoute("/ws/text", echo_text),
], lifespan=lifespan)
