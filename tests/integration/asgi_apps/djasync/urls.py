import asyncio
import json

from django.http import HttpResponse, JsonResponse
from django.urls import path


async def index(request):
    await asyncio.sleep(0)
    return HttpResponse("Hello from async Django", content_type="text/plain")


def sync_view(request):  # runs in the default executor (sync_to_async)
    return JsonResponse({"path": request.path, "q": request.GET.get("q")})


async def post(request):
    return JsonResponse({"json": json.loads(request.body)})


urlpatterns = [path("", index), path("sync/", sync_view), path("post/", post)]
