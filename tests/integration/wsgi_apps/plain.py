"""plain.py: plain WSGI apps for test_wsgi.py, each one behind
wsgiref.validate.validator. `application` routes on the first path segment.

/environ          the CGI and wsgi.* keys as JSON (non-str values as repr)
/input/<how>      the body back, read with read(n) | read | readline |
                  readlines | iter | mixed
/write            the body through the write() callable
/stream/<n>       n chunks from a generator (no Content-Length); /closed counts
                  the generators closed so far
/exc_info         start_response, an error, then start_response(exc_info)
/errors           writes two lines (one in pieces) to wsgi.errors
/file             wsgi.file_wrapper over this file (validator: iterated)
/head, /204       an empty-bodied answer; a 204
/latin1           a header value outside ASCII (latin-1)
/pid              this worker's pid
"""

import hashlib
import json
import os
import sys

from checks import validated

CLOSED = {"count": 0}


def respond(start_response, body, ctype="application/octet-stream", status="200 OK"):
    start_response(status, [("Content-Type", ctype)])
    return [body]


def environ_app(environ, start_response):
    out = {}
    for k, v in environ.items():
        out[k] = v if isinstance(v, str) else repr(v)
    out["wsgi.multithread"] = environ["wsgi.multithread"]
    out["wsgi.multiprocess"] = environ["wsgi.multiprocess"]
    out["wsgi.run_once"] = environ["wsgi.run_once"]
    out["wsgi.version"] = list(environ["wsgi.version"])
    return respond(start_response, json.dumps(out).encode(), "application/json")


def read_body(inp, how, length):
    if how == "read":  # one read(size) (the validator wants the size)
        if length is not None:
            return inp.read(length)
        parts = []
        while True:
            b = inp.read(1 << 20)
            if not b:
                return b"".join(parts)
            parts.append(b)
    if how == "readn":
        parts = []
        while True:
            b = inp.read(1000)
            if not b:
                return b"".join(parts)
            parts.append(b)
    if how == "readline":
        parts = []
        while True:
            line = inp.readline()
            if not line:
                return b"".join(parts)
            parts.append(line)
    if how == "readline_limit":
        parts = []
        while True:
            line = inp.readline(7)
            if not line:
                return b"".join(parts)
            assert len(line) <= 7, line
            parts.append(line)
    if how == "readlines":
        return b"".join(inp.readlines())
    if how == "iter":
        return b"".join(line for line in inp)
    if how == "mixed":
        first = inp.readline()
        some = inp.read(5)
        rest = inp.readlines()
        return first + some + b"".join(rest)
    raise ValueError(how)


def input_app(environ, start_response):
    how = environ["PATH_INFO"].split("/")[2]
    length = int(environ["CONTENT_LENGTH"]) if environ.get("CONTENT_LENGTH") else None
    body = read_body(environ["wsgi.input"], how, length)
    if environ.get("QUERY_STRING") == "digest":
        body = f"{len(body)} {hashlib.sha256(body).hexdigest()}".encode()
    return respond(start_response, body)


def write_app(environ, start_response):
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"written ")
    write(b"")
    write(b"by write()")
    return []


class Stream:
    """An iterable with close(), as PEP 3333 asks servers to call."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            yield b""  # must not force the head out
            yield f"chunk {i}\n".encode()

    def close(self):
        CLOSED["count"] += 1


def stream_app(environ, start_response):
    n = int(environ["PATH_INFO"].split("/")[2])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return Stream(n)


def closed_app(environ, start_response):
    return respond(start_response, str(CLOSED["count"]).encode(), "text/plain")


def exc_info_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    try:
        raise KeyError("changed my mind")
    except KeyError:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")], sys.exc_info())
    return [b"sorry"]


def errors_app(environ, start_response):
    err = environ["wsgi.errors"]
    err.write("first line from wsgi.errors\n")
    err.writelines(["second ", "line ", "in pieces\n"])
    err.flush()
    return respond(start_response, b"logged", "text/plain")


def file_app(environ, start_response):
    f = open(__file__, "rb")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return environ["wsgi.file_wrapper"](f, 4096)


def head_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return []


def no_content_app(environ, start_response):
    start_response("204 No Content", [])
    return []


def latin1_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Latin", "caf\u00e9")])
    return [environ["PATH_INFO"].encode("latin-1")]


def pid_app(environ, start_response):
    return respond(start_response, str(os.getpid()).encode(), "text/plain")


ROUTES = {
    "environ": environ_app, "input": input_app, "write": write_app,
    "stream": stream_app, "closed": closed_app, "exc_info": exc_info_app,
    "errors": errors_app, "file": file_app, "head": head_app,
    "204": no_content_app, "latin1": latin1_app, "pid": pid_app,
}


def router(environ, start_response):
    first = environ["PATH_INFO"].split("/")[1]
    app = ROUTES.get(first)
    if app is None:
        return respond(start_response, b"no such route", "text/plain", "404 Not Found")
    return app(environ, start_response)


application = validated(router)
