"""The WSGI twin of hornet's sleep app at 100 ms, for bench/gthread.sh:
GET / waits 0.1 s (blocking its thread, as the sleep app does), then
200 "slept 100 ms"."""

import time

BODY = b"slept 100 ms\n"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    time.sleep(0.1)
    start_response("200 OK", HEADERS)
    return [BODY]
