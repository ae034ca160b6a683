"""unvalidated.py: apps that wsgiref.validate would hide or stop.

The sendfile routes return wsgi.file_wrapper unwrapped (behind the validator
it is just iterated, so hornet's sendfile path would never run); their file
object refuses read(), so only sendfile can have sent the bytes. /list
returns a plain list (the validator would wrap it in an iterator), which
hornet sends with a Content-Length. The other
routes break the protocol or raise on purpose, to see hornet answer 500, log
a traceback and keep the worker.
"""

import io
import os

from checks import _unraisable  # noqa: F401  (installs the hooks)

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plain.py")


class NoRead(io.FileIO):
    def read(self, *args):
        raise AssertionError("read() called: the file was not sent with sendfile")


def sendfile_app(environ, start_response):
    f = NoRead(DATA, "rb")
    query = environ.get("QUERY_STRING", "")
    headers = [("Content-Type", "text/plain")]
    if query.startswith("offset="):
        f.seek(int(query.split("=")[1]))
    if query.startswith("length="):
        headers.append(("Content-Length", query.split("=")[1]))
    start_response("200 OK", headers)
    return environ["wsgi.file_wrapper"](f)


def bytesio_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return environ["wsgi.file_wrapper"](io.BytesIO(b"x" * 10000), 1000)


def list_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"one list, ", b"three ", b"items"]


def raise_app(environ, start_response):
    return 1 // 0


def raise_late_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])

    def body():
        yield b"first part\n"
        raise RuntimeError("failed after the head was sent")

    return body()


def no_start_app(environ, start_response):
    return [b"forgot start_response"]


def yield_str_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return ["not bytes"]


def bad_header_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Bad", "a\r\nInjected: 1")])
    return [b"unreachable"]


def pid_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]


ROUTES = {
    "sendfile": sendfile_app, "bytesio": bytesio_app, "list": list_app, "raise": raise_app,
    "raise_late": raise_late_app, "no_start": no_start_app,
    "yield_str": yield_str_app, "bad_header": bad_header_app, "pid": pid_app,
}


def application(environ, start_response):
    return ROUTES[environ["PATH_INFO"].strip("/")](environ, start_response)
