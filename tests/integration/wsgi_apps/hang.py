"""hang.py: a WSGI app that hangs in time.sleep three Python calls deep, for
test_dumps.py: a stack dump of its worker must name every one of them.

/hang/<seconds>  outer_handler -> middle_step -> innermost_sleeper, which
                 sleeps that long, then answers
anything else    answers "ok" at once
"""

import time


def innermost_sleeper(seconds):
    time.sleep(seconds)


def middle_step(seconds):
    innermost_sleeper(seconds)


def outer_handler(seconds):
    middle_step(seconds)


def application(environ, start_response):
    parts = environ["PATH_INFO"].split("/")
    if len(parts) == 3 and parts[1] == "hang":
        outer_handler(float(parts[2]))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
