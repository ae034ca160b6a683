import hashlib
import json

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


def index(request):
    return HttpResponse("Hello from Django", content_type="text/plain")


def item(request, pk):
    return JsonResponse({"pk": pk, "q": request.GET.get("q"), "script_name": request.META["SCRIPT_NAME"],
                         "path": request.path, "path_info": request.path_info})


@csrf_exempt
def post(request):
    if request.content_type == "application/json":
        return JsonResponse({"json": json.loads(request.body)})
    upload = request.FILES.get("file")
    data = upload.read() if upload else b""
    return JsonResponse({"form": request.POST.dict(), "size": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()})


def stream(request):
    return StreamingHttpResponse((f"part {i}\n" for i in range(5)), content_type="text/plain")


def crash(request):
    raise ValueError("django view crashed")


urlpatterns = [
    path("", index),
    path("item/<int:pk>/", item),
    path("post/", post),
    path("stream/", stream),
    path("crash/", crash),
]
