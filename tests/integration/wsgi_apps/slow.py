"""slow.py: a slow app for gthread (behind wsgiref.validate.validator).

/barrier/<n>  waits (10 s at most) until n requests are inside the app at
              once: 200 "together" proves n handler threads run Python
              concurrently; a broken barrier is a 500
/sleep/<ms>   sleeps, then answers
/read         reads the whole body (blocks in hornet while the client holds
              it back) and answers its length
/ping         answers at once, with wsgi.multithread
"""

import threading
import time

from checks import validated

BARRIERS = {}
LOCK = threading.Lock()


def barrier(n):
    with LOCK:
        return BARRIERS.setdefault(n, threading.Barrier(n, timeout=10))


def router(environ, start_response):
    parts = environ["PATH_INFO"].split("/")
    if parts[1] == "barrier":
        barrier(int(parts[2])).wait()
        body = b"together"
    elif parts[1] == "sleep":
        time.sleep(int(parts[2]) / 1000)
        body = b"slept"
    elif parts[1] == "read":
        size = int(environ["CONTENT_LENGTH"])
        environ["wsgi.errors"].write("slow: reading the body\n")
        body = str(len(environ["wsgi.input"].read(size))).encode()
    else:
        body = f"pong multithread={environ['wsgi.multithread']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


application = validated(router)
