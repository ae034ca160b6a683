"""test_gunicorn.py: hornet as a drop-in for Gunicorn.

Gunicorn's command lines, run by hornet: APP as MODULE:CALLABLE (a factory
too), --pythonpath, --chdir, -e, --app-config, Gunicorn's flag spellings;
an app_config the wsgi app refuses is one line and exit status 2 before any
worker is forked (the app's ABI 1.2 check_config), at --check-config and on
a reload (which keeps serving). Then the same command line given to Debian's
/usr/bin/gunicorn (20.1, installed by scripts/dev test) and to hornet, with
a Flask app and the Django project of wsgi_apps/, must give the same
statuses, bodies and app headers, with its options on the command line
and in a shared gunicorn.conf.py. -c gunicorn.conf.py gives settings and
runs the worker hooks in each worker. --reload serves a saved edit and
keeps the old code serving past a broken one.
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import unittest

import harness
from harness import HornetTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = os.path.join(HERE, "gunicorn_apps")
WSGI_APPS = os.path.join(HERE, "wsgi_apps")
GUNICORN = "/usr/bin/gunicorn"
WSGI_SO = os.path.join(harness.PLUGIN_DIR, "wsgi.so")
NO_WSGI = "" if os.path.exists(WSGI_SO) else f"no {WSGI_SO}: built with -DHORNET_WSGI=OFF?"
NO_GUNICORN = "" if os.access(GUNICORN, os.X_OK) else f"no {GUNICORN}: scripts/dev test installs Debian's gunicorn"


def request(port, path, method="GET", body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


@unittest.skipIf(NO_WSGI, NO_WSGI)
class GunicornCommandLineTest(HornetTestCase):
    """Gunicorn's command line, served by hornet."""

    def test_module_callable_with_pythonpath_env_and_chdir(self):
        workdir = os.path.join(self.tmp, "work")
        os.makedirs(workdir)
        h = self.daemon(["--chdir", workdir, "--pythonpath", APPS, "-e", "GREETING=hi there",
                         "compare_app:app"], workers=1)
        status, _, body = request(h.port, "/env?x=1")
        self.assertEqual(status, 200, h.log())
        seen = json.loads(body)
        self.assertEqual(seen["greeting"], "hi there")
        self.assertEqual(seen["cwd"], workdir)
        self.assertEqual(seen["first_path"], APPS)
        self.assertIn("Serving app: wsgi", h.log())

    def test_factory_and_app_config_option(self):
        h = self.daemon(["--pythonpath", APPS, "--app-config", "script_name=/shop",
                         "compare_app:create_app()"], workers=1)
        status, _, body = request(h.port, "/shop/env")
        self.assertEqual(status, 200, h.log())
        self.assertEqual((json.loads(body)["script_name"], json.loads(body)["path_info"]), ("/shop", "/env"))

    def test_app_found_in_the_chdir_folder(self):
        # Gunicorn puts --chdir on sys.path: no --pythonpath needed.
        h = self.daemon(["--chdir", APPS, "compare_app"], workers=1, ready=False)
        # `compare_app` alone is a plugin name for hornet: it says how to mean the module.
        self.assertEqual(h.wait_exit(20), 1, h.log())
        self.assertOneErrorLine(h.log(), "no compare_app.so", "compare_app:application")
        h = self.daemon(["--chdir", APPS, "compare_app:app"], workers=1)
        self.assertEqual(request(h.port, "/")[::2], (200, b"Hello from Flask"))

    def test_pythonpath_as_a_yaml_list(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write(f"wsgi_app: 'djproject.wsgi:application'\n"
                    f"app_config:\n  pythonpath: [{self.tmp}, {WSGI_APPS}]\n")
        h = self.daemon(["-c", config], workers=1)
        self.assertEqual(request(h.port, "/")[::2], (200, b"Hello from Django"))

    def test_gunicorn_flag_spellings(self):
        pid = os.path.join(self.tmp, "h.pid")
        rc, out, log = harness.run_once(["--check-config", "-p", pid, "--log-file", "-", "--name", "shop",
                                         "--access-logformat", "%(h)s %(r)s", "--proxy-allow-from", "10.0.0.1",
                                         "--pythonpath", APPS, "compare_app:app"], self.tmp)
        self.assertEqual(rc, 0, log)
        self.assertIn("app wsgi", out)


@unittest.skipIf(NO_WSGI, NO_WSGI)
class AppConfigCheckedBeforeForkTest(HornetTestCase):
    """The wsgi app's check_config runs in the arbiter: one line, exit 2, no worker."""

    def refused(self, *args):
        rc, _, log = harness.run_once(["-b", "127.0.0.1:0", "-w", "2", *args], self.tmp)
        self.assertEqual(rc, 2, log)
        self.assertNotIn("Booting worker", log)
        return log

    def test_missing_pythonpath_folder(self):
        log = self.refused("--pythonpath", "/no/such/dir", "compare_app:app")
        self.assertOneErrorLine(log, "app wsgi: app_config.pythonpath: no folder '/no/such/dir'")

    def test_bad_module_spec_and_script_name(self):
        self.assertOneErrorLine(self.refused("mod:"), "app_config.module 'mod:' is not of the form")
        self.assertOneErrorLine(self.refused("app.py"), "app_config.module 'app.py' names a file; "
                                                        "name the module instead, e.g. 'app:application'")
        self.assertOneErrorLine(self.refused("--app-config", "script_name=shop", "m:app"),
                                "app_config.script_name 'shop' must start with '/'")

    def test_misspelt_key_is_named_with_a_suggestion(self):
        line = self.assertOneErrorLine(self.refused("--app-config", "pythonpth=/tmp", "m:app"),
                                       "app_config.pythonpth: not a setting of the wsgi app")
        self.assertIn("did you mean 'pythonpath'?", line)

    def test_check_config_reports_it(self):
        rc, _, log = harness.run_once(["--check-config", "--app-config", "virtualenv=/nowhere", "m:app"], self.tmp)
        self.assertEqual(rc, 2, log)
        self.assertOneErrorLine(log, "app_config.virtualenv '/nowhere' is not a virtualenv")

    def test_file_named_in_the_line(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write("app: wsgi\napp_config: {module: 'x:app', pythonpath: /no/such/dir}\n")
        self.assertOneErrorLine(self.refused("-c", config), f"{config}: app wsgi: app_config.pythonpath")

    def test_reload_with_a_refused_app_config_keeps_serving(self):
        config = os.path.join(self.tmp, "hornet.yaml")

        def write(pythonpath):
            with open(config, "w") as f:
                f.write(f"app: 'compare_app:app'\npythonpath: {pythonpath}\n")

        write(APPS)
        h = self.daemon(["-c", config], workers=1)
        write("/no/such/dir")
        os.kill(h.pid, signal.SIGHUP)
        self.assertTrue(h.wait_log(r"Reload failed: .*app_config\.pythonpath: no folder '/no/such/dir'"), h.log())
        self.assertEqual(request(h.port, "/")[::2], (200, b"Hello from Flask"))


@unittest.skipIf(NO_WSGI, NO_WSGI)
class AppCheckedBeforeForkTest(HornetTestCase):
    """A module that is missing, does not compile or lacks its callable: one
    line, exit status 2, no worker forked, and the app never imported."""

    def refused(self, *args):
        rc, _, log = harness.run_once(["-b", "127.0.0.1:0", "-w", "2", *args], self.tmp)
        self.assertEqual(rc, 2, log)
        self.assertNotIn("Booting worker", log)
        self.assertNotIn("Listening at", log)
        return log

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_missing_module_syntax_error_and_missing_callable_at_a_plain_start(self):
        self.assertOneErrorLine(self.refused("--pythonpath", APPS, "no_such_module:app"),
                                "app_config.module: no module named 'no_such_module' on sys.path")
        broken = self.write("broken.py", "def app(environ, start_response):\n    return [\n")
        self.assertOneErrorLine(self.refused("--pythonpath", self.tmp, "broken:app"),
                                f"{broken}:2: SyntaxError")
        line = self.assertOneErrorLine(self.refused("--pythonpath", APPS, "compare_app:apps"),
                                       "'compare_app'", "defines no 'apps' at its top level")
        self.assertIn("did you mean 'compare_app:app'?", line)
        self.assertOneErrorLine(self.refused("--pythonpath", APPS, "compare_app:create_greeter(open('x'))"),
                                "the factory's arguments must be Python literals")

    def test_the_app_is_not_imported_to_check_it(self):
        # A package whose __init__ has a side effect: the check finds pkg/wsgi.py without running it.
        marker = os.path.join(self.tmp, "imported")
        self.write("pkg/__init__.py", f"open({marker!r}, 'w').close()\n")
        self.write("pkg/wsgi.py", f"open({marker!r}, 'w').close()\napplication = None\n")
        self.assertOneErrorLine(self.refused("--pythonpath", self.tmp, "pkg.wsgi:app"),
                                "'pkg.wsgi'", "defines no 'app'")
        self.assertOneErrorLine(self.refused("--pythonpath", self.tmp, "pkg.nothing:app"),
                                "no module named 'pkg.nothing'")
        self.assertFalse(os.path.exists(marker), "the check ran the app's code")

    def test_what_a_static_look_cannot_follow_is_left_to_the_workers(self):
        self.write("starred.py", "from os import *\n")
        h = self.daemon(["--pythonpath", self.tmp, "starred:app"], workers=1, ready=False)
        self.assertEqual(h.wait_exit(20), 3, h.log())  # the workers' boot fails, as before
        self.assertIn("Booting worker", h.log())

    def test_check_config_says_the_same(self):
        rc, _, log = harness.run_once(["--check-config", "--pythonpath", APPS, "compare_app:nothing"], self.tmp)
        self.assertEqual(rc, 2, log)
        self.assertOneErrorLine(log, "defines no 'nothing' at its top level")

    def test_a_reload_to_a_missing_callable_keeps_the_old_generation_serving(self):
        config = os.path.join(self.tmp, "hornet.yaml")

        def write(app):
            with open(config, "w") as f:
                f.write(f"app: '{app}'\npythonpath: {APPS}\n")

        write("compare_app:app")
        h = self.daemon(["-c", config], workers=2)
        write("compare_app:nothing")
        os.kill(h.pid, signal.SIGHUP)
        self.assertTrue(h.wait_log(r"Reload failed: .*defines no 'nothing' at its top level"), h.log())
        self.assertEqual(request(h.port, "/")[::2], (200, b"Hello from Flask"))
        self.assertEqual(len(h.boot_pids()), 2, h.log())  # no worker of the new generation was forked


# Every hook appends one JSON line to MARKS: [hook, facts...]; the arbiter's
# ones also log a line, so their order among hornet's own lines shows.
HOOKS_CONF = """
import json, socket
MARKS = {marks!r}
def mark(*what):
    with open(MARKS, "a") as f:
        f.write(json.dumps(what) + "\\n")
def listening(server):
    host, port = server.cfg.address[0]
    with socket.socket() as s:
        return s.connect_ex((host, port)) == 0
def on_starting(server):
    server.log.info("hook on_starting")
    mark("on_starting", server.pid, listening(server), server.cfg.workers, server.cfg.timeout, server.cfg.keepalive)
def when_ready(server):
    server.log.info("hook when_ready")
    mark("when_ready", server.pid, listening(server), server.num_workers)
def on_reload(server):
    server.log.info("hook on_reload")
    mark("on_reload", server.pid)
def on_exit(server):
    server.log.info("hook on_exit")
    mark("on_exit", server.pid)
def post_worker_init(worker):
    mark("post_worker_init", worker.pid)
def worker_int(worker):
    mark("worker_int", worker.pid)
def worker_abort(worker):
    mark("worker_abort", worker.pid)
def worker_exit(server, worker):
    mark("worker_exit", worker.pid)
def post_request(worker, req, environ, resp):
    mark("post_request", req.path, resp.status, resp.status_code, resp.headers, resp.sent, resp.response_length)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_marks(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def initialized(marks):
    """The workers whose post_worker_init ran: from then on, worker_int and worker_abort do."""
    return {m[1] for m in read_marks(marks) if m[0] == "post_worker_init"}


@unittest.skipIf(NO_WSGI, NO_WSGI)
class ServerHooksTest(HornetTestCase):
    """Gunicorn's arbiter hooks and worker_int/worker_abort, at Gunicorn's moments."""

    def start(self, conf_text, workers=2, extra=()):
        marks = os.path.join(self.tmp, "marks")
        conf = write_conf(self.tmp, conf_text.format(marks=marks))
        port = free_port()
        h = self.daemon(["-c", conf, "-b", f"127.0.0.1:{port}", "-t", "20", "--keep-alive", "3",
                         "--pythonpath", APPS, *extra, "compare_app:app"], workers=workers)
        return h, marks

    def test_arbiter_hooks_run_at_gunicorns_moments(self):
        h, marks = self.start(HOOKS_CONF)
        lines = h.log_lines()

        def at(needle):
            found = [i for i, l in enumerate(lines) if needle in l]
            self.assertTrue(found, f"no {needle!r} in\n{h.log()}")
            return found[0]

        self.assertLess(at("hook on_starting"), at("Listening at"))
        self.assertLess(at("Listening at"), at("hook when_ready"))
        self.assertLess(at("hook when_ready"), at("Booting worker"))
        got = {m[0]: m for m in read_marks(marks)}
        # on_starting: nothing bound yet; the settings by hornet's and Gunicorn's names, in Gunicorn's types.
        self.assertEqual(got["on_starting"], ["on_starting", h.pid, False, 2, 20, 3])
        self.assertEqual(got["when_ready"], ["when_ready", h.pid, True, 2])

        os.kill(h.pid, signal.SIGHUP)
        self.assertTrue(h.wait_log(r"Reloaded: now serving generation 2"), h.log())
        lines = h.log_lines()
        self.assertLess(at("Handling signal: hup"), at("hook on_reload"))
        self.assertLess(at("hook on_reload"), [i for i, l in enumerate(lines) if "Booting worker" in l][2])
        h.stop()
        lines = h.log_lines()
        self.assertLess(at("Shutting down"), at("hook on_exit"))
        names = [m[0] for m in read_marks(marks) if m[0] in ("on_starting", "when_ready", "on_reload", "on_exit")]
        self.assertEqual(names, ["on_starting", "when_ready", "on_reload", "on_exit"])
        runner = int(re.search(r"hook runner pid (\d+)", h.log()).group(1))
        self.assertFalse(os.path.exists(f"/proc/{runner}"), "the hook runner outlived the arbiter")

    def test_on_starting_that_raises_stops_hornet_and_other_hooks_are_one_line(self):
        conf = write_conf(self.tmp, "def on_starting(server):\n    raise RuntimeError('not today')\n")
        rc, _, log = harness.run_once(["-c", conf, "-b", "127.0.0.1:0", "--pythonpath", APPS, "compare_app:app"],
                                      self.tmp)
        self.assertEqual(rc, 1, log)
        self.assertOneErrorLine(log, f"{conf}:2: on_starting raised RuntimeError: not today; not starting")
        self.assertNotIn("Listening at", log)
        write_conf(self.tmp, "def when_ready(server):\n    server.log.info('about to fail')\n    {}['x']\n")
        h = self.daemon(["-c", conf, "--pythonpath", APPS, "compare_app:app"], workers=1)
        self.assertTrue(h.wait_log(r"\[ERROR\] " + re.escape(f"{conf}:3: when_ready raised KeyError: 'x'")), h.log())
        self.assertIn("[INFO] about to fail", h.log())
        self.assertEqual(request(h.port, "/")[::2], (200, b"Hello from Flask"))

    def test_worker_int_and_worker_abort_run_in_the_worker(self):
        h, marks = self.start(HOOKS_CONF)
        first, second = h.boot_pids()[:2]
        self.assertTrue(harness.wait_until(lambda: initialized(marks) >= {first, second}, 20), h.log())
        os.kill(first, signal.SIGQUIT)
        os.kill(second, signal.SIGABRT)
        self.assertTrue(h.wait_log(rf"Worker with pid {second} was killed by signal 6"), h.log())
        self.assertTrue(h.wait_log(rf"Worker with pid {first} exited"), h.log())
        got = [m for m in read_marks(marks) if m[0].startswith("worker_")]
        self.assertIn(["worker_abort", second], got)
        self.assertLess(got.index(["worker_int", first]), got.index(["worker_exit", first]))  # as in Gunicorn
        self.assertLess(got.index(["worker_abort", second]), got.index(["worker_exit", second]))


@unittest.skipIf(NO_WSGI, NO_WSGI)
class ReloadOnChangeTest(HornetTestCase):
    """--reload: a saved edit is served; a broken one keeps the old code serving."""

    def test_edits_are_served_and_a_broken_edit_is_not(self):
        appdir = os.path.join(self.tmp, "app")
        os.makedirs(appdir)
        source = os.path.join(appdir, "live.py")

        def write(text):
            with open(source + ".new", "w") as f:
                f.write(text)
            os.replace(source + ".new", source)

        def app_saying(word):
            return ("def app(environ, start_response):\n"
                    "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
                    f"    return [b'{word}']\n")

        write(app_saying("one"))
        h = self.daemon(["--reload", "--pythonpath", appdir, "live:app"], workers=2)
        self.assertTrue(h.wait_log(r"wsgi: watching \d+ files for changes"), h.log())
        self.assertEqual(request(h.port, "/")[2], b"one")

        write("def app(environ, start_response):\n    return [\n")  # a syntax error
        self.assertTrue(h.wait_log(r"live\.py modified; reloading"), h.log())
        # Refused before any new worker is forked: the check compiles the module.
        self.assertTrue(h.wait_log(r"Reload failed: .*live\.py:2: SyntaxError"), h.log())
        self.assertEqual(request(h.port, "/")[2], b"one")  # the old generation still serves

        write(app_saying("number two"))
        served = harness.wait_until(lambda: request(h.port, "/")[2] == b"number two", 20, 0.1)
        self.assertTrue(served, h.log())
        self.assertEqual(h.returncode, None)

    def test_reload_extra_files(self):
        extra = os.path.join(self.tmp, "settings.txt")
        with open(extra, "w") as f:
            f.write("a")
        h = self.daemon(["--reload", "--reload-extra-file", extra, "--pythonpath", APPS, "compare_app:app"],
                        workers=1)
        self.assertTrue(h.wait_log(r"wsgi: watching \d+ files"), h.log())
        with open(extra + ".new", "w") as f:
            f.write("bb")
        os.replace(extra + ".new", extra)
        self.assertTrue(h.wait_log(r"settings\.txt modified; reloading"), h.log())
        self.assertTrue(h.wait_log(r"Reloaded: now serving generation 2"), h.log())


def write_conf(directory, text, name="gunicorn.conf.py"):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


@unittest.skipIf(NO_WSGI, NO_WSGI)
class GunicornConfFileTest(HornetTestCase):
    """-c gunicorn.conf.py: its settings, and its worker hooks in each worker."""

    def test_worker_hooks_run_in_each_worker(self):
        marks = os.path.join(self.tmp, "marks")
        os.makedirs(marks)
        conf = write_conf(self.tmp, f"""
import os
wsgi_app = "compare_app:app"
pythonpath = {APPS!r}
workers = 2
raw_env = ["GREETING=from the conf file"]
def _mark(what, pid):
    open(os.path.join({marks!r}, f"{{what}}.{{pid}}"), "w").close()
def post_fork(server, worker):
    _mark("post_fork", worker.pid)
    server.log.info("post_fork in worker %s (age %s)", worker.pid, worker.age)
def post_worker_init(worker):
    _mark("post_worker_init", worker.pid)
def pre_request(worker, req):
    worker.log.info("pre_request %s %s %s", req.method, req.path, dict(req.headers).get("X-TEST"))
def post_request(worker, req, environ, resp):
    worker.log.info("post_request %s %s %s", req.path, resp.status, environ["QUERY_STRING"])
def worker_exit(server, worker):
    _mark("worker_exit", worker.pid)
def on_starting(server):
    pass
""", "hooks.conf.py")
        h = self.daemon(["-c", conf], workers=2)
        pids = set(h.boot_pids())

        def marked(what):
            return {int(n.split(".")[1]) for n in os.listdir(marks) if n.startswith(what + ".")}

        self.assertTrue(harness.wait_until(lambda: marked("post_worker_init") == pids, 20), (marked("post_fork"), pids))
        self.assertEqual(marked("post_fork"), pids)
        status, _, body = request(h.port, "/env", headers={"X-Test": "seen"})
        self.assertEqual(json.loads(body)["greeting"], "from the conf file")
        self.assertTrue(h.wait_log(r"\[INFO\] pre_request GET /env seen"), h.log())
        request(h.port, "/status/418?q=1")
        # resp.status is the app's own status line, as in Gunicorn (Werkzeug's capitals).
        self.assertTrue(h.wait_log(r"\[INFO\] post_request /status/418 418 I'M A TEAPOT q=1"), h.log())
        self.assertIn("Server hooks from " + conf + ": on_starting", h.log())
        h.stop()
        self.assertEqual(marked("worker_exit"), pids)

    def test_hooks_with_preload(self):
        marks = os.path.join(self.tmp, "marks")
        os.makedirs(marks)
        conf = write_conf(self.tmp, f"""
import os
preload_app = True
def post_fork(server, worker):
    open(os.path.join({marks!r}, str(worker.pid)), "w").close()
""")
        h = self.daemon(["-c", conf, "--pythonpath", APPS, "compare_app:app"], workers=2)
        pids = set(h.boot_pids())
        self.assertTrue(harness.wait_until(lambda: {int(n) for n in os.listdir(marks)} == pids, 20), h.log())

    def test_gunicorn_conf_py_in_the_working_directory_is_read(self):
        write_conf(self.tmp, f"wsgi_app = 'compare_app:app'\npythonpath = {APPS!r}\n")
        h = self.daemon([], workers=1)
        self.assertEqual(request(h.port, "/")[::2], (200, b"Hello from Flask"))

    def test_reload_rereads_the_file_and_a_broken_one_keeps_serving(self):
        conf = write_conf(self.tmp, f"wsgi_app = 'compare_app:app'\npythonpath = {APPS!r}\nraw_env = ['GREETING=one']\n")
        h = self.daemon(["-c", conf], workers=1)
        write_conf(self.tmp, "workers = (\n")  # a syntax error
        os.kill(h.pid, signal.SIGHUP)
        self.assertTrue(h.wait_log(r"Reload failed: .*gunicorn\.conf\.py:1: SyntaxError"), h.log())
        self.assertEqual(request(h.port, "/")[::2], (200, b"Hello from Flask"))
        write_conf(self.tmp, f"wsgi_app = 'compare_app:app'\npythonpath = {APPS!r}\nraw_env = ['GREETING=two']\n")
        os.kill(h.pid, signal.SIGHUP)
        self.assertTrue(h.wait_log(r"Reloaded: now serving generation 2"), h.log())
        greeting = harness.wait_until(lambda: json.loads(request(h.port, "/env")[2])["greeting"] == "two", 20, 0.1)
        self.assertTrue(greeting, h.log())

    def test_an_exception_in_the_file_is_one_line(self):
        conf = write_conf(self.tmp, "workers = 2\nbind = undefined\n")
        rc, _, log = harness.run_once(["-c", conf, "hello"], self.tmp)
        self.assertEqual(rc, 2, log)
        self.assertOneErrorLine(log, f"{conf}:2: NameError: name 'undefined' is not defined")


@unittest.skipIf(NO_WSGI, NO_WSGI)
@unittest.skipIf(NO_GUNICORN, NO_GUNICORN)
class SameAsGunicornTest(HornetTestCase):
    """One command line, two servers: the answers must match."""

    APP_HEADERS = ("content-type", "content-length", "x-custom", "location")

    def serve(self, server, args):
        h = harness.Hornet(["-b", "127.0.0.1:0", "-w", "1", "--graceful-timeout", "5", *args], self.tmp)
        if server == "gunicorn":
            h.args[0] = GUNICORN
        self.addCleanup(h.stop)
        return h.start().wait_ready(1)

    def both(self, args):
        return {server: self.serve(server, args) for server in ("gunicorn", "hornet")}

    def compare(self, servers, path, **kw):
        answers = {}
        for name, h in servers.items():
            status, headers, body = request(h.port, path, **kw)
            answers[name] = (status, {k: v for k, v in headers.items() if k in self.APP_HEADERS}, body)
        self.assertEqual(answers["hornet"], answers["gunicorn"], f"{path}\n--- hornet log:\n{servers['hornet'].log()}")
        return answers["hornet"]

    def test_flask_app(self):
        workdir = os.path.join(self.tmp, "work")
        os.makedirs(workdir)
        servers = self.both(["--chdir", workdir, "--pythonpath", APPS, "-e", "GREETING=hello",
                             "-e", "SCRIPT_NAME=/app", "compare_app:app"])
        self.assertEqual(self.compare(servers, "/app/")[0], 200)
        env = json.loads(self.compare(servers, "/app/env?a=1&b=%20", headers={"X-Test": "t"})[2])
        self.assertEqual((env["greeting"], env["cwd"], env["first_path"], env["script_name"]),
                         ("hello", workdir, APPS, "/app"))
        data = os.urandom(300000)
        got = json.loads(self.compare(servers, "/app/post", method="POST", body=data,
                                      headers={"Content-Type": "application/octet-stream"})[2])
        self.assertEqual(got["sha256"], hashlib.sha256(data).hexdigest())
        self.compare(servers, "/app/post", method="POST", body=b"a=1&b=two",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.compare(servers, "/app/stream")
        for code in (201, 204, 404, 418):
            self.compare(servers, f"/app/status/{code}")
        self.compare(servers, "/app/nothing")
        self.assertEqual(self.compare(servers, "/app/crash")[0], 500)
        self.compare(servers, "/app/", method="HEAD")

    def test_flask_factory(self):
        servers = self.both(["--pythonpath", APPS, "compare_app:create_app()"])
        self.assertEqual(self.compare(servers, "/")[2], b"Hello from Flask")

    def test_factory_with_literal_arguments(self):
        servers = self.both(["--pythonpath", APPS, "compare_app:create_greeter('hi ', times=2)"])
        self.assertEqual(self.compare(servers, "/")[2], b"hi hi ")

    def test_flask_app_on_gthread(self):
        servers = self.both(["-k", "gthread", "--threads", "4", "--keep-alive", "5", "--pythonpath", APPS,
                             "compare_app:app"])
        for path in ("/", "/env?k=v", "/stream", "/status/404", "/crash"):
            self.compare(servers, path)
        data = os.urandom(100000)
        self.compare(servers, "/post", method="POST", body=data, headers={"Content-Type": "application/octet-stream"})

    def test_django_project(self):
        # The way Django's docs start it: gunicorn mysite.wsgi, from the project's folder.
        servers = self.both(["--chdir", WSGI_APPS, "-e", "SCRIPT_NAME=/site", "djproject.wsgi"])
        self.assertEqual(self.compare(servers, "/site/")[2], b"Hello from Django")
        self.compare(servers, "/site/item/42/?q=z")
        self.compare(servers, "/site/post/", method="POST", body=b'{"k": [1, 2]}',
                     headers={"Content-Type": "application/json"})
        self.compare(servers, "/site/stream/")
        self.assertEqual(self.compare(servers, "/site/nothing/")[0], 404)
        self.assertEqual(self.compare(servers, "/site/crash/")[0], 500)

    def test_same_conf_file(self):
        workdir = os.path.join(self.tmp, "work")
        os.makedirs(workdir)
        conf = write_conf(self.tmp, f"""
wsgi_app = "compare_app:create_app()"
pythonpath = "{APPS}"
chdir = "{workdir}"
raw_env = ["GREETING=conf", "SCRIPT_NAME=/c"]
timeout = 20
keepalive = 3
""", "shared.conf.py")
        servers = self.both(["-c", conf])
        env = json.loads(self.compare(servers, "/c/env?q=1")[2])
        self.assertEqual((env["greeting"], env["cwd"], env["script_name"]), ("conf", workdir, "/c"))
        self.compare(servers, "/c/stream")

    def test_same_access_log(self):
        logs = {name: os.path.join(self.tmp, f"{name}-access.log") for name in ("gunicorn", "hornet")}
        servers = {}
        for name in ("gunicorn", "hornet"):
            servers[name] = self.serve(name, ["--pythonpath", APPS, "--access-logfile", logs[name], "compare_app:app"])
        requests = [("/", "GET", None, {}), ("/env?x=1&y=%20", "GET", None, {"User-Agent": "ua/1", "Referer": "http://r/"}),
                    ("/status/204", "GET", None, {}), ("/post", "POST", b"abc", {}), ("/", "HEAD", None, {}),
                    ("/nothing", "GET", None, {}), ("/crash", "GET", None, {})]
        for path, method, body, headers in requests:
            for h in servers.values():
                request(h.port, path, method=method, body=body, headers={"User-Agent": "t", **headers})

        def lines(name):  # without the time stamp, the one field that must differ
            if not os.path.exists(logs[name]):
                return []
            with open(logs[name]) as f:
                return [re.sub(r"\[[^]]*\]", "[time]", l.rstrip("\n")) for l in f]

        for name in logs:
            self.assertTrue(harness.wait_until(lambda: len(lines(name)) >= len(requests), 20), (name, lines(name)))
        self.assertEqual(lines("hornet"), lines("gunicorn"))

    def test_same_hooks_at_the_same_moments_and_the_same_resp(self):
        marks = {}
        for name in ("gunicorn", "hornet"):
            marks[name] = os.path.join(self.tmp, f"{name}.marks")
            conf = write_conf(self.tmp, HOOKS_CONF.format(marks=marks[name]), f"{name}.conf.py")
            h = harness.Hornet(["-c", conf, "-b", f"127.0.0.1:{free_port()}", "-w", "2", "--graceful-timeout", "5",
                                "-t", "20", "--keep-alive", "3", "--pythonpath", APPS, "compare_app:app"], self.tmp)
            if name == "gunicorn":
                h.args[0] = GUNICORN
            self.addCleanup(h.stop)
            h.start().wait_ready(2)
            paths = ("/", "/status/418", "/stream", "/nothing", "/crash")
            for path in paths:
                request(h.port, path)
            # post_request runs after the answer is sent: wait for its marks before a signal can cut them off.
            self.assertTrue(harness.wait_until(lambda: len([m for m in read_marks(marks[name])
                                                            if m[0] == "post_request"]) >= len(paths), 20), h.log())
            first, second = h.boot_pids()[:2]
            self.assertTrue(harness.wait_until(lambda: initialized(marks[name]) >= {first, second}, 20), h.log())
            os.kill(first, signal.SIGQUIT)
            os.kill(second, signal.SIGABRT)
            self.assertTrue(harness.wait_until(lambda: len(h.boot_pids()) >= 4, 20), h.log())
            os.kill(h.pid, signal.SIGHUP)
            self.assertTrue(harness.wait_until(lambda: any(m[0] == "on_reload" for m in read_marks(marks[name])), 20),
                            h.log())
            h.stop()

        def summary(name):
            got = read_marks(marks[name])
            arbiter = [m[0] for m in got if m[0] in ("on_starting", "when_ready", "on_reload", "on_exit")]
            signals = sorted({m[0] for m in got if m[0] in ("worker_int", "worker_abort")})
            exits = len([m for m in got if m[0] == "worker_exit"]) >= 2  # after worker_int and worker_abort
            facts = [m[2:] for m in got if m[0] in ("on_starting", "when_ready")]
            # By path: each worker appends after its answer, so two workers may write in either order.
            resp = sorted(m[1:] for m in got if m[0] == "post_request")
            return arbiter, signals, exits, facts, resp

        self.assertEqual(summary("hornet"), summary("gunicorn"))
        resp = {r[0]: r for r in summary("hornet")[4]}
        self.assertEqual(resp["/status/418"][1:4], ["418 I'M A TEAPOT", 418, [["X-Custom", "yes"],
                         ["Content-Type", "text/html; charset=utf-8"], ["Content-Length", "10"]]])

    def test_same_check_config_verdicts(self):
        # --chdir, not --pythonpath: Gunicorn 20.1 checks before it applies pythonpath.
        for args, ok in ((["--chdir", APPS, "compare_app:app"], True),
                         (["--chdir", APPS, "compare_app:nothing"], False),
                         (["--chdir", APPS, "no_such_module:app"], False)):
            codes = {}
            for server in ("gunicorn", "hornet"):
                h = harness.Hornet(["--check-config", *args], self.tmp)
                if server == "gunicorn":
                    h.args[0] = GUNICORN
                h.start()
                codes[server] = h.wait_exit(30)
                h.stop()
            with self.subTest(args=args):
                self.assertEqual(codes["gunicorn"] == 0, ok, codes)
                self.assertEqual(codes["hornet"] == 0, ok, codes)


if __name__ == "__main__":
    harness.main()
