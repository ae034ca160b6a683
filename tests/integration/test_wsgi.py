"""test_wsgi.py: the wsgi app (apps/wsgi, CPython 3.11 embedded) against the
real daemon, with the test apps in wsgi_apps/: plain PEP 3333 apps, Flask
and Django (Debian's python3-flask and python3-django), each behind
wsgiref.validate.validator, plus apps that raise or misbehave, a slow app
under gthread, reload, preload_app, virtualenv and configuration errors.

A validator complaint is an AssertionError (a 500 and a traceback), a
WSGIWarning is turned into an error (wsgi_apps/checks.py), and an exception
nobody could raise is logged as UNRAISABLE: each daemon's log is checked for
all three when it stops.
"""

import hashlib
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

import harness
from harness import HornetTestCase

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wsgi_apps")
WSGI_SO = os.path.join(harness.PLUGIN_DIR, "wsgi.so")
GTHREAD_SO = os.path.join(harness.PLUGIN_DIR, "gthread.so")
HAVE_FLASK = importlib.util.find_spec("flask") is not None
HAVE_DJANGO = importlib.util.find_spec("django") is not None
NO_WSGI = "" if os.path.exists(WSGI_SO) else f"no {WSGI_SO}: built with -DHORNET_WSGI=OFF?"
NO_GTHREAD = "" if os.path.exists(GTHREAD_SO) else f"no {GTHREAD_SO}: the gthread worker is not built"
INSTALL_HINT = "not importable by /usr/bin/python3: scripts/dev installs it"


def write_config(directory, module, **app_config):
    """A hornet.yaml serving `module` (pythonpath: wsgi_apps/ first)."""
    cfg = {"module": module, "pythonpath": APPS}
    cfg.update(app_config)
    path = os.path.join(directory, "hornet.yaml")
    with open(path, "w") as f:
        f.write("app: wsgi\napp_config:\n")
        for k, v in cfg.items():
            f.write(f"  {k}: {json.dumps(v)}\n")  # a JSON string is a YAML string
    return path


def request(port, path, method="GET", body=None, headers=None, chunked=False, timeout=15.0):
    """One request on its own connection: (status, headers dict, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if chunked:
            c.request(method, path, body=iter(body), headers=headers or {}, encode_chunked=True)
        else:
            c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def multipart(fields, files):
    """A multipart/form-data body: (content type, bytes)."""
    boundary = "hornet-boundary-7MA4YWxk"
    out = []
    for name, value in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                   f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(out)


def protocol_problems(log, allowed_paths=()):
    """Validator failures, unraisable errors and unexpected tracebacks in a log."""
    problems = [l for l in log.splitlines() if "UNRAISABLE" in l or "WSGIWarning" in l]
    for m in re.finditer(r"Error handling request (\S+) (\S+)", log):
        if m.group(2).split("?")[0] not in allowed_paths:
            problems.append(m.group(0))
    return problems


@unittest.skipIf(NO_WSGI, NO_WSGI)
class SharedDaemon(HornetTestCase):
    """One daemon for the whole class (starting CPython per test would be
    slow); its log is checked for protocol problems when it stops."""

    MODULE = "plain:application"
    ARGS = []
    WORKERS = 1
    APP_CONFIG = {}
    ALLOWED_ERRORS = ()  # paths whose tracebacks are expected

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="hornet-wsgi-", dir=harness.TMP_ROOT)
        config = write_config(cls.dir, cls.MODULE, **cls.APP_CONFIG)
        args = ["-b", "127.0.0.1:0", "-w", str(cls.WORKERS), "--graceful-timeout", "5s", "-c", config, *cls.ARGS]
        cls.h = harness.Hornet(args, cls.dir).start()
        try:
            cls.h.wait_ready(cls.WORKERS)
        except BaseException:
            cls.h.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.h.stop()
        shutil.rmtree(cls.dir, True)
        problems = protocol_problems(cls.h.log(), cls.ALLOWED_ERRORS)
        if problems:
            raise AssertionError(f"{cls.__name__}: protocol problems in the log: {problems}\n{cls.h.log()}")

    def req(self, path, **kw):
        return request(self.h.port, path, **kw)


class PlainSyncTest(SharedDaemon):
    """PEP 3333 in full on the sync worker, one worker process."""

    def environ(self, path="/environ", **kw):
        status, _, body = self.req(path, **kw)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def test_environ_cgi_keys(self):
        env = self.environ("/environ/a%20b/caf%C3%A9?x=1&y=%20", headers={
            "X-Test": "one", "Content-Type": "text/x-test"})
        self.assertEqual(env["REQUEST_METHOD"], "GET")
        self.assertEqual(env["SCRIPT_NAME"], "")
        # percent-decoded, then each byte a code point (latin-1), per PEP 3333
        self.assertEqual(env["PATH_INFO"], "/environ/a b/caf\u00c3\u00a9")
        self.assertEqual(env["QUERY_STRING"], "x=1&y=%20")
        self.assertEqual(env["RAW_URI"], "/environ/a%20b/caf%C3%A9?x=1&y=%20")
        self.assertEqual(env["SERVER_PROTOCOL"], "HTTP/1.1")
        self.assertEqual(env["SERVER_NAME"], "127.0.0.1")
        self.assertEqual(env["SERVER_PORT"], str(self.h.port))
        self.assertEqual(env["REMOTE_ADDR"], "127.0.0.1")
        self.assertTrue(env["REMOTE_PORT"].isdigit())
        self.assertEqual(env["HTTP_X_TEST"], "one")
        self.assertEqual(env["CONTENT_TYPE"], "text/x-test")
        self.assertNotIn("HTTP_CONTENT_TYPE", env)
        self.assertEqual(env["HTTP_HOST"], f"127.0.0.1:{self.h.port}")

    def test_environ_wsgi_keys(self):
        env = self.environ()
        self.assertEqual(env["wsgi.version"], [1, 0])
        self.assertEqual(env["wsgi.url_scheme"], "http")
        self.assertIs(env["wsgi.multithread"], False)   # sync, or a one-thread pool
        self.assertIs(env["wsgi.multiprocess"], False)  # one worker
        self.assertIs(env["wsgi.run_once"], False)
        for key in ("wsgi.input", "wsgi.errors", "wsgi.file_wrapper"):
            self.assertIn(key, env)

    def test_repeated_headers_joined_and_underscores_dropped(self):
        raw = (b"GET /environ HTTP/1.1\r\nHost: x\r\nX-Multi: a\r\nX-Multi: b\r\n"
               b"Cookie: c=1\r\nCookie: d=2\r\nX_Spoofed: evil\r\nContent-Length: 0\r\n\r\n")
        resp = harness.raw_exchange(self.h.port, raw)
        head, _, body = resp.partition(b"\r\n\r\n")
        self.assertIn(b" 200 ", head.split(b"\r\n")[0])
        env = json.loads(harness.dechunk(body))  # the validator's iterator: chunked
        self.assertEqual(env["HTTP_X_MULTI"], "a,b")
        self.assertEqual(env["HTTP_COOKIE"], "c=1; d=2")
        self.assertNotIn("HTTP_X_SPOOFED", env)
        self.assertEqual(env["CONTENT_LENGTH"], "0")

    def test_http10(self):
        resp = harness.raw_exchange(self.h.port, b"GET /environ HTTP/1.0\r\n\r\n")
        env = json.loads(resp.partition(b"\r\n\r\n")[2])  # HTTP/1.0: ends with the connection
        self.assertEqual(env["SERVER_PROTOCOL"], "HTTP/1.0")

    def test_input_every_way_of_reading(self):
        body = b"".join(b"line %d of the body\n" % i for i in range(2000)) + b"no newline at the end"
        for how in ("read", "readn", "readline", "readline_limit", "readlines", "iter", "mixed"):
            for chunked in (False, True):
                with self.subTest(how=how, chunked=chunked):
                    pieces = [body[i:i + 7000] for i in range(0, len(body), 7000)]
                    status, _, got = self.req(f"/input/{how}", method="POST", body=pieces if chunked else body,
                                              chunked=chunked)
                    self.assertEqual(status, 200, got[:300])
                    self.assertEqual(got, body)

    def test_input_large_upload(self):
        data = os.urandom(3 * 1024 * 1024 + 17)
        status, _, got = self.req("/input/readn?digest", method="POST", body=data)
        self.assertEqual(got.decode(), f"{len(data)} {hashlib.sha256(data).hexdigest()}")

    def test_input_empty(self):
        status, _, got = self.req("/input/read", method="POST", body=b"")
        self.assertEqual((status, got), (200, b""))

    def test_write_callable(self):
        status, headers, body = self.req("/write")
        self.assertEqual((status, body), (200, b"written by write()"))

    def test_streamed_iterable_is_chunked_and_closed(self):
        _, _, before = self.req("/closed")
        status, headers, body = self.req("/stream/5")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("transfer-encoding"), "chunked")
        self.assertNotIn("content-length", headers)
        self.assertEqual(body, b"".join(b"chunk %d\n" % i for i in range(5)))
        _, _, after = self.req("/closed")
        self.assertEqual(int(after), int(before) + 1, "close() was not called on the iterable")

    def test_exc_info_replaces_the_status(self):
        status, _, body = self.req("/exc_info")
        self.assertEqual((status, body), (503, b"sorry"))

    def test_wsgi_errors_into_the_error_log(self):
        self.assertEqual(self.req("/errors")[0], 200)
        self.assertTrue(self.h.wait_log(r"first line from wsgi\.errors$"), self.h.log())
        self.assertTrue(self.h.wait_log(r"second line in pieces$"), self.h.log())

    def test_file_wrapper_behind_the_validator(self):
        status, _, body = self.req("/file")
        with open(os.path.join(APPS, "plain.py"), "rb") as f:
            self.assertEqual((status, body), (200, f.read()))

    def test_head_and_204_have_no_body(self):
        for raw in (b"HEAD /environ HTTP/1.1\r\nHost: x\r\n\r\n", b"GET /204 HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET /head HTTP/1.1\r\nHost: x\r\n\r\n"):
            with self.subTest(raw=raw):
                resp = harness.raw_exchange(self.h.port, raw)
                head, sep, rest = resp.partition(b"\r\n\r\n")
                self.assertTrue(sep, resp)
                self.assertRegex(head, rb"^HTTP/1\.1 20[04] ")
                self.assertEqual(rest, b"")

    def test_latin1_header_value_and_path(self):
        status, headers, body = self.req("/latin1/caf%E9")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"/latin1/caf\xe9")
        self.assertEqual(headers["x-latin"], "caf\u00e9")  # http.client decodes latin-1

    def test_unknown_route_is_the_apps_404(self):
        self.assertEqual(self.req("/nowhere")[0], 404)


class PlainAsyncTest(PlainSyncTest):
    """The same PEP 3333 checks under async, the app on a one-thread pool."""
    ARGS = ["-k", "async", "--threads", "1"]


class PlainUringTest(PlainSyncTest):
    """The same PEP 3333 checks under uring, the app on a one-thread pool."""
    ARGS = ["-k", "uring", "--threads", "1"]


@unittest.skipIf(NO_WSGI, NO_WSGI)
class MultiprocessTest(HornetTestCase):

    def test_multiprocess_true_with_two_workers(self):
        h = self.daemon(["-c", write_config(self.tmp, "plain:application")], workers=2)
        status, _, body = request(h.port, "/environ")
        self.assertEqual(status, 200)
        env = json.loads(body)
        self.assertIs(env["wsgi.multiprocess"], True)
        self.assertIs(env["wsgi.multithread"], False)


class ScriptNameTest(SharedDaemon):
    """app_config.script_name mounts the app: SCRIPT_NAME, PATH_INFO after it,
    and a 404 outside it (a client's SCRIPT_NAME header is never trusted)."""

    APP_CONFIG = {"script_name": "/mount/"}

    def test_split(self):
        status, _, body = self.req("/mount/environ/x", headers={"Script-Name": "/evil"})
        env = json.loads(body)
        self.assertEqual((env["SCRIPT_NAME"], env["PATH_INFO"]), ("/mount", "/environ/x"))

    def test_outside_the_mount_is_404(self):
        for path in ("/", "/other", "/mountain/environ"):
            with self.subTest(path=path):
                self.assertEqual(self.req(path)[0], 404)


class UnvalidatedTest(SharedDaemon):
    """sendfile for wsgi.file_wrapper; errors become a 500 (or a cut
    connection once the head is out) with a traceback, and the worker lives."""

    MODULE = "unvalidated:application"
    ALLOWED_ERRORS = ("/raise", "/raise_late", "/no_start", "/yield_str", "/bad_header")

    def data(self):
        with open(os.path.join(APPS, "plain.py"), "rb") as f:
            return f.read()

    def pid(self):
        status, _, body = self.req("/pid")
        self.assertEqual(status, 200)
        return int(body)

    def test_sendfile_whole_file_with_content_length(self):
        status, headers, body = self.req("/sendfile")
        self.assertEqual(status, 200, body[:500])
        self.assertEqual(body, self.data())
        self.assertEqual(headers.get("content-length"), str(len(self.data())))

    def test_sendfile_from_the_current_position(self):
        status, _, body = self.req("/sendfile?offset=100")
        self.assertEqual((status, body), (200, self.data()[100:]))

    def test_sendfile_honours_the_apps_content_length(self):
        status, headers, body = self.req("/sendfile?length=50")
        self.assertEqual((status, body), (200, self.data()[:50]))

    def test_list_body_gets_content_length(self):
        status, headers, body = self.req("/list")
        self.assertEqual((status, body), (200, b"one list, three items"))
        self.assertEqual(headers.get("content-length"), str(len(body)))
        self.assertNotIn("transfer-encoding", headers)

    def test_head_keeps_the_lists_length_and_sends_no_body(self):
        for path, length in ((b"/list", b"21"), (b"/sendfile", str(len(self.data())).encode())):
            with self.subTest(path=path):
                resp = harness.raw_exchange(self.h.port, b"HEAD " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                head, _, rest = resp.partition(b"\r\n\r\n")
                self.assertIn(b"\r\nContent-Length: " + length + b"\r\n", head + b"\r\n")
                self.assertEqual(rest, b"")

    def test_file_wrapper_over_bytesio_is_iterated(self):
        status, _, body = self.req("/bytesio")
        self.assertEqual((status, body), (200, b"x" * 10000))

    def check_500(self, path, *needles):
        before = self.pid()
        status, _, body = self.req(path)
        self.assertEqual(status, 500, body)
        line = self.h.wait_log(rf"Error handling request GET {re.escape(path)}$")
        self.assertTrue(line, self.h.log())
        for needle in needles:
            self.assertTrue(self.h.wait_log(needle), f"{needle!r} not in\n{self.h.log()}")
        self.assertEqual(self.pid(), before, "the worker did not survive")

    def test_exception_is_500_with_traceback(self):
        self.check_500("/raise", r"Traceback \(most recent call last\)", r"ZeroDivisionError")

    def test_no_start_response_is_500(self):
        self.check_500("/no_start", r"RuntimeError: the app yielded body bytes before calling start_response")

    def test_str_body_is_500(self):
        self.check_500("/yield_str", r"TypeError: the response iterable yielded str")

    def test_bad_header_is_refused_at_start_response(self):
        self.check_500("/bad_header", r"ValueError: invalid header")

    def test_exception_after_the_head_cuts_the_connection(self):
        before = self.pid()
        with self.assertRaises(http.client.IncompleteRead):
            self.req("/raise_late")
        self.assertTrue(self.h.wait_log(r"RuntimeError: failed after the head was sent"), self.h.log())
        self.assertEqual(self.pid(), before)


@unittest.skipIf(NO_GTHREAD, NO_GTHREAD)
class GthreadTest(SharedDaemon):
    """A slow app under gthread: handler threads run Python concurrently, and
    the GIL is dropped while hornet blocks on I/O."""

    MODULE = "slow:application"
    ARGS = ["-k", "gthread", "--threads", "4"]

    def test_multithread_is_true(self):
        status, _, body = self.req("/ping")
        self.assertEqual((status, body), (200, b"pong multithread=True"))

    def test_four_requests_inside_the_app_at_once(self):
        results = []

        def one():
            results.append(self.req("/barrier/4", timeout=20))

        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual([(s, b) for s, _, b in results], [(200, b"together")] * 4)

    def test_gil_dropped_while_hornet_reads_the_body(self):
        # The body is held back: the app sits in wsgi.input.read(), inside
        # hornet's read(). Another request must still be served meanwhile.
        with socket.create_connection(("127.0.0.1", self.h.port), timeout=15) as s:
            s.sendall(b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
            self.assertTrue(self.h.wait_log(r"slow: reading the body$"), self.h.log())
            for _ in range(3):
                status, _, body = self.req("/ping", timeout=10)
                self.assertEqual(status, 200)
            s.sendall(b"67890")
            reply = harness.read_response(harness.Reader(s, 15))  # keep-alive: up to the last chunk
            self.assertRegex(reply.head, r"^HTTP/1\.1 200 ")
            self.assertIn("chunked", reply.headers.get("transfer-encoding", ""))
            self.assertEqual(reply.body, b"10")

    def test_slow_requests_all_answered(self):
        results = []
        threads = [threading.Thread(target=lambda: results.append(self.req("/sleep/200")))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual([s for s, _, _ in results], [200] * 8)


@unittest.skipIf(NO_GTHREAD, NO_GTHREAD)
class PreloadGthreadTest(SharedDaemon):
    """preload_app: CPython started in the arbiter crosses fork into workers
    whose gthread pools then run it."""

    ARGS = ["--preload", "-k", "gthread", "--threads", "2"]
    WORKERS = 2

    def test_served_by_forked_interpreters(self):
        for _ in range(10):
            status, _, body = self.req("/environ")
            self.assertEqual(status, 200)
        env = json.loads(body)
        self.assertIs(env["wsgi.multithread"], True)
        status, _, body = self.req("/input/read", method="POST", body=b"x" * 100000)
        self.assertEqual((status, len(body)), (200, 100000))


@unittest.skipUnless(HAVE_FLASK, f"flask {INSTALL_HINT}")
class FlaskTest(SharedDaemon):

    MODULE = "flask_app:application"
    WORKERS = 2
    ALLOWED_ERRORS = ("/crash",)

    def json(self, path, **kw):
        status, headers, body = self.req(path, **kw)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "application/json")
        return json.loads(body)

    def test_index(self):
        self.assertEqual(self.req("/")[::2], (200, b"Hello from Flask"))

    def test_route_with_args(self):
        self.assertEqual(self.json("/user/ada?lang=en"), {"user": "ada", "args": {"lang": "en"}})

    def test_json_post(self):
        got = self.json("/json", method="POST", body=json.dumps({"a": [1, 2], "b": "\u00e9"}),
                        headers={"Content-Type": "application/json"})
        self.assertEqual(got, {"received": {"a": [1, 2], "b": "\u00e9"}, "count": 2})

    def test_form_post(self):
        got = self.json("/form", method="POST", body="a=1&a=2&b=x+y",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(got, {"form": {"a": ["1", "2"], "b": ["x y"]}})

    def test_file_upload(self):
        data = os.urandom(2 * 1024 * 1024)
        ctype, body = multipart({"note": "hi"}, {"file": ("blob.bin", data)})
        got = self.json("/upload", method="POST", body=body, headers={"Content-Type": ctype})
        self.assertEqual(got, {"filename": "blob.bin", "size": len(data),
                               "sha256": hashlib.sha256(data).hexdigest(), "note": "hi"})

    def test_chunked_upload(self):
        data = os.urandom(300000)
        ctype, body = multipart({}, {"file": ("c.bin", data)})
        pieces = [body[i:i + 65536] for i in range(0, len(body), 65536)]
        status, _, got = self.req("/upload", method="POST", body=pieces, chunked=True,
                                  headers={"Content-Type": ctype})
        self.assertEqual(status, 200, got)
        self.assertEqual(json.loads(got)["sha256"], hashlib.sha256(data).hexdigest())

    def test_streaming_response(self):
        status, headers, body = self.req("/stream/50?tag=t")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("transfer-encoding"), "chunked")
        self.assertEqual(body.decode(), "".join(f"line {i} of t\n" for i in range(50)))

    def test_abort_404(self):
        self.assertEqual(self.req("/missing")[0], 404)

    def test_exception_is_500_and_logged(self):
        status, _, _ = self.req("/crash")
        self.assertEqual(status, 500)
        # Flask logs it itself, to wsgi.errors: hornet's error log
        self.assertTrue(self.h.wait_log(r"LookupError: flask view crashed"), self.h.log())
        self.assertEqual(self.req("/")[0], 200)


@unittest.skipIf(NO_GTHREAD, NO_GTHREAD)
class FlaskGthreadTest(FlaskTest):
    ARGS = ["-k", "gthread", "--threads", "4"]


class FlaskAsyncTest(FlaskTest):
    """Under async the (blocking) wsgi app runs on the worker's pool."""
    ARGS = ["-k", "async", "--threads", "4"]


class FlaskUringTest(FlaskTest):
    """Under uring too the (blocking) wsgi app runs on the worker's pool."""
    ARGS = ["-k", "uring", "--threads", "4"]


@unittest.skipUnless(HAVE_DJANGO, f"django {INSTALL_HINT}")
class DjangoTest(SharedDaemon):

    MODULE = "djproject.wsgi:application"
    WORKERS = 2
    APP_CONFIG = {"script_name": "/site"}

    def test_index(self):
        status, _, body = self.req("/site/")
        self.assertEqual((status, body), (200, b"Hello from Django"))

    def test_url_args_and_script_name(self):
        status, _, body = self.req("/site/item/42/?q=z")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {"pk": 42, "q": "z", "script_name": "/site",
                                            "path": "/site/item/42/", "path_info": "/item/42/"})

    def test_json_post(self):
        status, _, body = self.req("/site/post/", method="POST", body=b'{"k": [1]}',
                                   headers={"Content-Type": "application/json"})
        self.assertEqual(json.loads(body), {"json": {"k": [1]}})

    def test_form_and_upload(self):
        data = os.urandom(500000)
        ctype, body = multipart({"name": "x"}, {"file": ("f.bin", data)})
        status, _, got = self.req("/site/post/", method="POST", body=body, headers={"Content-Type": ctype})
        self.assertEqual(status, 200, got)
        self.assertEqual(json.loads(got), {"form": {"name": "x"}, "size": len(data),
                                           "sha256": hashlib.sha256(data).hexdigest()})

    def test_streaming(self):
        status, _, body = self.req("/site/stream/")
        self.assertEqual((status, body), (200, b"".join(b"part %d\n" % i for i in range(5))))

    def test_errors(self):
        self.assertEqual(self.req("/site/nothing/")[0], 404)
        self.assertEqual(self.req("/site/crash/")[0], 500)  # Django's own 500 page
        self.assertEqual(self.req("/site/")[0], 200)


@unittest.skipIf(NO_WSGI, NO_WSGI)
class ReloadTest(HornetTestCase):
    """After SIGHUP the new workers import the app afresh: edited code is
    served (with and without preload_app)."""

    def check_reload(self, *extra):
        appdir = os.path.join(self.tmp, "app")
        os.makedirs(appdir)
        source = os.path.join(appdir, "reloaded.py")
        imports = os.path.join(appdir, "imported")  # one file per importing pid
        os.makedirs(imports)

        def write(version):  # atomically: a worker importing it meanwhile sees all of one version
            with open(source + ".new", "w") as f:
                f.write("import os\n"
                        f"open(os.path.join({imports!r}, str(os.getpid())), 'w').close()\n"
                        "def application(environ, start_response):\n"
                        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
                        f"    return [b'{version}']\n")
            os.replace(source + ".new", source)

        def imported_by():
            return {int(name) for name in os.listdir(imports)}

        write("version one")
        config = write_config(self.tmp, "reloaded", pythonpath=appdir)
        h = self.daemon(["-c", config, *extra], workers=2)
        port = h.port

        def body():  # no request may fail across a reload: a failure shows the log
            try:
                return request(port, "/")[2]
            except (OSError, http.client.HTTPException) as e:
                self.fail(f"{e!r} on port {port}, arbiter running: {h.running()}\n--- log:\n{h.log()}")

        self.assertEqual(body(), b"version one")
        old_workers = set(h.boot_pids())
        # "Booting worker" is logged at fork: a worker may still be importing
        # version one (not yet serving), and one that cannot import its app
        # fails to boot, which stops hornet. Edit the app once every worker
        # has it (with --preload, the arbiter imported it for them).
        self.assertTrue(harness.wait_until(lambda: h.pid in imported_by() or old_workers <= imported_by(), 20),
                        f"imported by {imported_by()}\n--- log:\n{h.log()}")
        write("version number two")
        os.kill(h.pid, signal.SIGHUP)
        served = harness.wait_until(lambda: body() == b"version number two", 20, 0.1)
        self.assertTrue(served, h.log())
        # A new worker serves as soon as it is ready, while the old ones still
        # do until every new one is: only once they have left is every answer new.
        self.assertTrue(harness.wait_until(lambda: not old_workers & h.workers(), 20), h.log())
        for _ in range(6):  # every worker: the old ones were retired
            self.assertEqual(body(), b"version number two", h.log())

    def test_reload(self):
        self.check_reload()

    def test_reload_with_preload(self):
        self.check_reload("--preload")


@unittest.skipIf(NO_WSGI, NO_WSGI)
class VirtualenvTest(HornetTestCase):

    def test_virtualenv_site_packages(self):
        venv = os.path.join(self.tmp, "venv")
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", venv], check=True, timeout=60)
        site = os.path.join(venv, "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}", "site-packages")
        with open(os.path.join(site, "only_in_venv.py"), "w") as f:
            f.write("import sys\n"
                    "def application(environ, start_response):\n"
                    "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
                    "    return [sys.prefix.encode()]\n")
        h = self.daemon(["-c", write_config(self.tmp, "only_in_venv", virtualenv=venv)], workers=1)
        self.assertEqual(request(h.port, "/")[::2], (200, venv.encode()))


@unittest.skipIf(NO_WSGI, NO_WSGI)
class ConfigErrorTest(HornetTestCase):
    """A wrong module is one clear line; nothing keeps running."""

    def run_config(self, *extra, **app_config):
        config = write_config(self.tmp, **app_config)
        rc, _, log = harness.run_once(["-b", "127.0.0.1:0", "-w", "1", "-c", config, *extra], self.tmp)
        self.assertNotEqual(rc, 0, log)
        return log

    def test_missing_module(self):
        for extra in ((), ("--preload",)):
            with self.subTest(extra=extra):
                log = self.run_config(*extra, module="no_such_module:app")
                line = self.assertOneErrorLine(log, "app_config.module: no module named 'no_such_module'")
                self.assertIn("pythonpath", line)

    def test_missing_callable(self):
        log = self.run_config(module="plain:no_such_app")
        # Told before any fork, by the module check (test_gunicorn.py has the rest of it).
        self.assertOneErrorLine(log, "'plain' (", "defines no 'no_such_app' at its top level")
        self.assertNotIn("Booting worker", log)

    def test_module_not_set(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write("app: wsgi\napp_config:\n  pythonpath: /tmp\n")
        rc, _, log = harness.run_once(["-b", "127.0.0.1:0", "-w", "1", "-c", config], self.tmp)
        self.assertNotEqual(rc, 0)
        self.assertOneErrorLine(log, "app_config.module is not set")

    def test_error_in_the_apps_own_code_has_a_traceback(self):
        with open(os.path.join(self.tmp, "broken.py"), "w") as f:
            f.write("import os\nraise ImportError('the app is broken')\napp = None\n")  # the check sees an app
        log = self.run_config(module="broken:app", pythonpath=self.tmp)
        self.assertIn("cannot import 'broken': ImportError: the app is broken", log)
        self.assertIn('broken.py", line 2', log)


if __name__ == "__main__":
    harness.main()
