"""test_plugins.py: loading app and worker-type plugins by path, and the one
clear line (naming the file) for each way a plugin file can be wrong.

Fixtures are built here, with `cc -shared -fPIC` against the real headers in
HORNET_INCLUDE_DIR: a good app and worker type (controls), and the broken
ones: a text file named x.so, a .so without the entry symbol, a descriptor
with a wrong magic, and one built for ABI major 2."""

import concurrent.futures
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness
from harness import HornetTestCase, run_once

CC = shutil.which("cc") or shutil.which("gcc")

APP_SRC = r"""
#include <hornet/app.h>
#include <string.h>

#ifndef FIX_MAGIC
#define FIX_MAGIC HORNET_MAGIC
#endif
#ifndef FIX_MAJOR
#define FIX_MAJOR HORNET_ABI_MAJOR
#endif

static int create(const hornet_host_t *host, void **instance, char *err, size_t cap)
{
    (void)host; (void)err; (void)cap;
    *instance = NULL;
    return 0;
}

static void destroy(void *instance) { (void)instance; }

static int handle(void *instance, hornet_exchange_t *x, const hornet_exchange_ops_t *ops)
{
    static const char body[] = "fixture app\n";
    hornet_header_t h[1];
    (void)instance;
    h[0].name.ptr = "Content-Type"; h[0].name.len = 12;
    h[0].value.ptr = "text/plain"; h[0].value.len = 10;
    ops->start(x, 200, h, 1);
    ops->write(x, body, strlen(body));
    ops->finish(x, 0);
    return HORNET_DONE;
}

static const hornet_app_t app = {
    { (uint32_t)sizeof(hornet_app_t), FIX_MAJOR, HORNET_ABI_MINOR, FIX_MAGIC },
    "fixture", "0.0.1", 0, create, destroy, NULL, NULL, handle
};

#ifdef NO_ENTRY
HORNET_EXPORT const hornet_app_t *not_the_entry(uint32_t a, uint32_t b)
#else
HORNET_EXPORT const hornet_app_t *hornet_app_entry(uint32_t a, uint32_t b)
#endif
{
    (void)a; (void)b;
    return &app;
}
"""

WORKER_SRC = r"""
#include <hornet/worker.h>

#ifndef FIX_MAGIC
#define FIX_MAGIC HORNET_MAGIC
#endif
#ifndef FIX_MAJOR
#define FIX_MAJOR HORNET_ABI_MAJOR
#endif

static int run(const hornet_worker_ctx_t *ctx) { (void)ctx; return 0; }

static const hornet_worker_t worker = {
    { (uint32_t)sizeof(hornet_worker_t), FIX_MAJOR, HORNET_ABI_MINOR, FIX_MAGIC },
    "fixture", "0.0.1", 0, NULL, run
};

#ifdef NO_ENTRY
HORNET_EXPORT const hornet_worker_t *not_the_entry(uint32_t a, uint32_t b)
#else
HORNET_EXPORT const hornet_worker_t *hornet_worker_entry(uint32_t a, uint32_t b)
#endif
{
    (void)a; (void)b;
    return &worker;
}
"""

# case -> extra -D flags (None: not a compiled fixture)
CASES = {
    "missing": None,
    "text": None,
    "noentry": ["-DNO_ENTRY"],
    "badmagic": ["-DFIX_MAGIC=0xdeadbeefu"],
    "abi2": ["-DFIX_MAJOR=2"],
}

INFO_RE = re.compile(r"(?i)[\[ ](info|debug|trace)[\] :]")


def build(src, out, flags):
    cmd = [CC, "-std=c99", "-Wall", "-shared", "-fPIC", "-I", harness.INCLUDE_DIR,
           *flags, "-x", "c", "-", "-o", out]
    r = subprocess.run(cmd, input=src.encode(), capture_output=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"fixture build failed: {' '.join(cmd)}\n{r.stderr.decode()}")


class Fixtures:
    """Builds every fixture once per module into one temp dir."""
    dir = None

    @classmethod
    def get(cls):
        if cls.dir is None:
            if not CC:
                raise unittest.SkipTest("no C compiler")
            if not harness.INCLUDE_DIR or not os.path.exists(
                    os.path.join(harness.INCLUDE_DIR, "hornet", "abi.h")):
                raise AssertionError(f"HORNET_INCLUDE_DIR has no hornet/abi.h: "
                                     f"{harness.INCLUDE_DIR!r}")
            d = tempfile.mkdtemp(prefix="hornet-fixtures-", dir=harness.TMP_ROOT)
            for kind, src in (("app", APP_SRC), ("worker", WORKER_SRC)):
                sub = os.path.join(d, kind)
                os.mkdir(sub)
                build(src, os.path.join(sub, "fixture.so"), [])
                for case, flags in CASES.items():
                    out = os.path.join(sub, f"{case}.so")
                    if case == "text":
                        with open(out, "w") as f:
                            f.write("this is not a shared object\n")
                    elif flags is not None:
                        build(src, out, flags)
            cls.dir = d
        return cls.dir

    @classmethod
    def path(cls, kind, case):
        return os.path.join(cls.get(), kind, f"{case}.so")


def tearDownModule():
    if Fixtures.dir:
        shutil.rmtree(Fixtures.dir, True)


class PluginErrorTest(HornetTestCase):
    """Each broken plugin: exit != 0, one line naming the file, no worker."""

    def check_refused(self, kind, case, extra_check=None):
        path = Fixtures.path(kind, case)
        if kind == "app":
            args = ["-b", "127.0.0.1:0", "-w", "2", path]
        else:
            args = ["-b", "127.0.0.1:0", "-w", "2", "-k", path, "hello"]
        rc, out, err = run_once(args, self.tmp)
        text = err + "\n" + out
        self.assertNotEqual(rc, 0, text)
        self.assertGreater(rc, 0, f"killed by signal {-rc}?\n{text}")
        self.assertNotIn("Booting worker", text)
        # The one error line naming the file (lines at info/debug level that
        # merely mention the file do not count).
        lines = [l for l in text.splitlines() if path in l and not INFO_RE.search(l)]
        self.assertEqual(len(lines), 1, f"want one error line naming {path}:\n{text}")
        self.assertNotIn("Traceback", text)
        self.assertNotIn("terminate called", text)
        if extra_check:
            extra_check(lines[0])
        return lines[0]

    def abi_check(self, line):
        self.assertRegex(line, r"(?i)\babi\b", line)
        self.assertRegex(line, r"\b2(\.\d+)?\b", "the plugin's ABI is not named")
        self.assertRegex(line, r"\b1(\.\d+)?\b", "the host's ABI is not named")

    def test_app_missing_file(self):
        self.check_refused("app", "missing")

    def test_app_text_file(self):
        self.check_refused("app", "text")

    def test_app_no_entry_symbol(self):
        self.check_refused("app", "noentry",
                           lambda l: self.assertIn("hornet_app_entry", l))

    def test_app_wrong_magic(self):
        self.check_refused("app", "badmagic")

    def test_app_abi_major_2(self):
        self.check_refused("app", "abi2", self.abi_check)

    def test_worker_missing_file(self):
        self.check_refused("worker", "missing")

    def test_worker_text_file(self):
        self.check_refused("worker", "text")

    def test_worker_no_entry_symbol(self):
        self.check_refused("worker", "noentry",
                           lambda l: self.assertIn("hornet_worker_entry", l))

    def test_worker_wrong_magic(self):
        self.check_refused("worker", "badmagic")

    def test_worker_abi_major_2(self):
        self.check_refused("worker", "abi2", self.abi_check)

    def test_app_given_as_worker_type(self):
        # A valid app .so where a worker type belongs: no hornet_worker_entry.
        path = Fixtures.path("app", "fixture")
        rc, out, err = run_once(["-b", "127.0.0.1:0", "-w", "1", "-k", path, "hello"],
                                self.tmp)
        self.assertNotEqual(rc, 0, err)
        self.assertNotIn("Booting worker", err)
        self.assertIn(path, err)

    def test_unknown_short_name(self):
        rc, out, err = run_once(["-b", "127.0.0.1:0", "-w", "1", "nosuchapp"], self.tmp)
        self.assertNotEqual(rc, 0, err)
        self.assertNotIn("Booting worker", err)
        self.assertEqual(len([l for l in err.splitlines() if "nosuchapp" in l
                              and not INFO_RE.search(l)]), 1, err)


class PluginLoadTest(HornetTestCase):
    """The good fixtures (built out of tree against the headers) load."""

    def test_app_by_path(self):
        h = self.daemon([Fixtures.path("app", "fixture")], workers=1)
        status, headers, body = self.get(h)
        self.assertEqual((status, body), (200, b"fixture app\n"))

    def test_app_by_short_name_via_plugin_path(self):
        d = os.path.join(Fixtures.get(), "app")
        h = self.daemon(["--plugin-path", d, "fixture"], workers=1)
        self.assertEqual(self.get(h)[2], b"fixture app\n")

    def test_builtin_plugin_dir_via_plugin_path(self):
        if not harness.PLUGIN_DIR:
            self.skipTest("HORNET_PLUGIN_DIR not set")
        h = self.daemon(["--plugin-path", harness.PLUGIN_DIR, "hello"], workers=1)
        self.assertEqual(self.get(h)[2], b"Hello, World!\n")

    def test_abi10_app_in_this_hornet(self):
        # tests/abi/evolution/old_plugin.c built against the frozen 1.0
        # headers: the real arbiter (which asks 1.2 apps to check their
        # app_config) must load and serve it without reading past its
        # descriptor, and hand it app_config and the host's minor.
        plugin = self.abi_plugin("abi10_plugin.so")
        rc, out, err = run_once(["--check-config", "--app-config", "greeting=bonjour", plugin], self.tmp)
        self.assertEqual(rc, 0, err)
        minor = self.host_minor()
        # Every worker type: async and gthread hand out the 1.1-1.4
        # extensions and read the 1.4 limits; a 1.0 app never asks.
        for kind in ("sync", "gthread", "async"):
            with self.subTest(kind=kind):
                h = self.daemon(["-k", kind, "--app-config", "greeting=bonjour", plugin], workers=1)
                status, headers, body = self.get(h, "/old?x=1")
                self.assertEqual((status, body), (200, b"bonjour GET /old?x=1 (plugin ABI 1.0)\n"))
                self.assertEqual(headers.get("x-host-minor"), minor)
                h.stop()

    def test_abi11_extension_app_in_this_hornet(self):
        # tests/abi/evolution/ext_app_1_1.c built against the frozen 1.1
        # headers: it answers from a hornet.timer/1 callback and from a
        # hornet.loop/1 post, after checking that every table it is handed
        # is at least its 1.1 size (else a 500 naming the table). The event
        # loop worker types must serve both; sync and gthread offer neither,
        # which the app must learn as NULL (its 501), the worker living on.
        plugin = self.abi_plugin("frozen11_app.so")
        rc, out, err = run_once(["--check-config", plugin], self.tmp)
        self.assertEqual(rc, 0, err)
        minor = self.host_minor()
        timer = b"timer: result 0, waited at least 50 ms, on the loop thread (plugin ABI 1.1)\n"
        loop = b"loop: result 0, posted by a thread of the app's, answered on the loop thread (plugin ABI 1.1)\n"
        for kind in ("async", "uring"):
            with self.subTest(kind=kind):
                h = self.daemon(["-k", kind, plugin], workers=1)
                for path, want in (("/timer?ms=50", timer), ("/loop?ms=20", loop), ("/", b"frozen 1.1 app (plugin ABI 1.1)\n")):
                    status, headers, body = self.get(h, path)
                    self.assertEqual((status, body), (200, want), path)
                    self.assertEqual(headers.get("x-host-minor"), minor)
                self.assertEqual(self.concurrent_timers(h, 20), [(200, timer)] * 20)
                h.stop()
        for kind in ("sync", "gthread"):
            with self.subTest(kind=kind):
                h = self.daemon(["-k", kind, plugin], workers=1)
                pids = h.workers()
                for path, service in (("/timer?ms=50", b"hornet.timer/1"), ("/loop?ms=20", b"hornet.loop/1")):
                    status, headers, body = self.get(h, path)
                    self.assertEqual((status, body), (501, b"no " + service + b" under this worker type\n"), path)
                    self.assertEqual(headers.get("x-host-minor"), minor)
                status, _, body = self.get(h, "/")
                self.assertEqual((status, body), (200, b"frozen 1.1 app (plugin ABI 1.1)\n"))
                self.assertEqual(h.workers(), pids, "the worker must live on")
                h.stop()

    def concurrent_timers(self, h, n):
        """n requests for /timer?ms=50 at once, each on its own connection."""
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            answers = list(pool.map(lambda _: self.get(h, "/timer?ms=50"), range(n)))
        return [(status, body) for status, _, body in answers]

    def abi_plugin(self, name):
        """A plugin tests/abi built (beside the fixtures' folder)."""
        fixtures = os.environ.get("HORNET_FIXTURE_DIR", "")
        plugin = os.path.join(os.path.dirname(fixtures), "abi", name)
        if not os.path.exists(plugin):
            self.fail(f"{plugin} is not built (tests/abi builds it with everything else)")
        return plugin

    def host_minor(self):
        with open(os.path.join(harness.INCLUDE_DIR, "hornet", "abi.h")) as f:
            return re.search(r"#define HORNET_ABI_MINOR (\d+)", f.read()).group(1)

    def test_app_refuses_its_app_config_before_any_fork(self):
        # ABI 1.2 check_config, from a C app (apps/sleep): exit 2, one line, no worker.
        rc, _, err = run_once(["-b", "127.0.0.1:0", "-w", "2", "--app-config", "ms=lots", "sleep"], self.tmp)
        self.assertEqual(rc, 2, err)
        self.assertNotIn("Booting worker", err)
        self.assertOneErrorLine(err, "app sleep: app_config.ms: 'lots' is not a whole number of milliseconds")

    def test_builtin_sync_by_path(self):
        if not harness.PLUGIN_DIR:
            self.skipTest("HORNET_PLUGIN_DIR not set")
        h = self.daemon(["-k", os.path.join(harness.PLUGIN_DIR, "sync.so"),
                         os.path.join(harness.PLUGIN_DIR, "hello.so")], workers=1)
        self.assertEqual(self.get(h)[2], b"Hello, World!\n")


if __name__ == "__main__":
    harness.main()
