"""bench/asgi.sh's hello through Starlette (one route)."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(request):
    return PlainTextResponse("Hello, World!\n")


app = Starlette(routes=[Route("/", hello)])
