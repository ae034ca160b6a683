"""A file through wsgi.file_wrapper, for bench/uring.sh: GET / -> the file
named by $BENCH_FILE, which hornet's wsgi app sends with sendfile(2)."""

import os

PATH = os.environ.get("BENCH_FILE", "/dev/null")
SIZE = os.path.getsize(PATH)


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(SIZE))])
    return environ["wsgi.file_wrapper"](open(PATH, "rb"), 1 << 20)
