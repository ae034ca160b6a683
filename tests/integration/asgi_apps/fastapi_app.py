"""fastapi_app.py: Debian's FastAPI (0.92) on hornet: path and query
parameters, JSON bodies, dependency injection, background tasks, a
streaming response, a file upload (python3-multipart), a WebSocket route
(echo with the path parameter, the subprotocol and JSON), startup and
shutdown events."""

import hashlib
import os

from fastapi import BackgroundTasks, Depends, FastAPI, File, Header, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel

app = FastAPI()
events = []


@app.on_event("startup")
async def startup():
    events.append("startup")


@app.on_event("shutdown")
async def shutdown():
    path = os.environ.get("FASTAPI_SHUTDOWN_FILE")
    if path:
        with open(path, "w") as f:
            f.write("shutdown")


class Item(BaseModel):
    name: str
    price: float


def token(x_token: str = Header("none")):
    return x_token.upper()


@app.get("/", response_class=PlainTextResponse)
async def hello():
    return "Hello, world!"


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: str = None, tok: str = Depends(token)):
    return {"item_id": item_id, "q": q, "token": tok, "events": events}


@app.post("/items")
async def create_item(item: Item):
    return {"name": item.name, "price": item.price, "total": item.price * 2}


done = []


def note(word):
    done.append(word)


@app.post("/background")
async def background(tasks: BackgroundTasks):
    tasks.add_task(note, "ran")
    return {"queued": True}


@app.get("/background")
async def background_done():
    return {"done": done}


@app.get("/stream")
async def stream():
    async def parts():
        for i in range(5):
            yield f"part {i}\n"
    return StreamingResponse(parts(), media_type="text/plain")


@app.post("/upload")
async def upload(file: UploadFile = File(...)):
    data = await file.read()
    return {"filename": file.filename, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@app.get("/sync")
def blocking():  # a sync view: FastAPI runs it in the default executor
    return {"sync": True}


@app.websocket("/ws/{room}")
async def ws_room(websocket: WebSocket, room: str, tok: str = Depends(token)):
    offered = websocket.scope["subprotocols"]
    await websocket.accept(subprotocol=offered[0] if offered else None)
    await websocket.send_json({"room": room, "token": tok, "subprotocols": offered})
    try:
        while True:
            text = await websocket.receive_text()
            if text == "bye":
                await websocket.close(code=4001)
                return
            await websocket.send_text(f"{room}: {text}")
    except WebSocketDisconnect as gone:
        path = os.environ.get("FASTAPI_WS_GONE_FILE")
        if path:
            with open(path, "w") as f:
                f.write(str(gone.code))
