"""test_dumps.py: stack dumps against the real daemon (docs/operations.md).

A worker whose heartbeat goes stale is asked for a stack dump before it is
killed: a sync and a gthread worker hung in the sleep app, and the wsgi app
hung in time.sleep three Python calls deep, each leave one block in the
error log, tagged with the worker's pid, headed by the request it serves and
naming the frames it hangs in (native ones, and for wsgi the Python
functions), and are then replaced by a worker that serves. A worker that
cannot answer (SIGSTOPped) is still killed on time, and the log says no dump
came. URG to a worker, or to the arbiter for all of them, and `hornet ctl
dump [PID]` dump live workers that keep serving.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
import unittest

import harness
from harness import HornetTestCase, Load, wait_until

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wsgi_apps")
FIXTURES = os.environ.get("HORNET_FIXTURE_DIR", "")
WSGI_SO = os.path.join(harness.PLUGIN_DIR, "wsgi.so")
NO_WSGI = "" if os.path.exists(WSGI_SO) else f"no {WSGI_SO}: built with -DHORNET_WSGI=OFF?"

DUMP_HEAD = r"Stack dump of worker (\d+) {why}:"
TIMEOUT_LINE = r"Worker timeout \(pid: (\d+)\): no heartbeat for \d+ ms while serving"


def hang(port, path, seconds=30):
    """One request that the app holds; the worker dies under it."""
    def run():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds)
        try:
            c.request("GET", path)
            c.getresponse().read()
        except (OSError, http.client.HTTPException):
            pass
        finally:
            c.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


class DumpTestCase(HornetTestCase):
    def block(self, h, pid):
        """The lines of pid's dump, from its head line on (as logged, one record)."""
        lines = h.log_lines()
        head = next(i for i, l in enumerate(lines) if f"Stack dump of worker {pid} " in l)
        body = []
        for line in lines[head + 1:]:
            if not line.startswith(f"[{pid}] "):
                break
            body.append(line[len(f"[{pid}] "):])
        return lines[head], body

    def wait_dump(self, h, why, timeout=20):
        hits = h.wait_log(DUMP_HEAD.format(why=why), 1, timeout)
        self.assertTrue(hits, h.log())
        pid = int(hits[0].group(1))
        # The record is written at once; its lines reach the harness one by one.
        self.assertTrue(h.wait_log(rf"^\[{pid}\] end of stack dump$", 1, 5), h.log())
        return pid, self.block(h, pid)

    def assertInOrder(self, text, needles):
        at = 0
        for n in needles:
            found = text.find(n, at)
            self.assertNotEqual(found, -1, f"{n!r} missing (or out of order) in:\n{text}")
            at = found + len(n)

    def assertReplaced(self, h, victim, path="/?ms=0"):
        self.assertTrue(h.wait_log(rf"Worker with pid {victim} was killed by signal", 1, 15), h.log())
        self.assertTrue(wait_until(lambda: h.workers() and victim not in h.workers(), 10), h.log())
        status, _, _ = self.get(h, path)
        self.assertEqual(status, 200)

    def assertTimeoutDump(self, h, path, frames, hung=1):
        """`hung` requests to path hang the worker: its dump names the path
        (without the query) and frames, in order, then it is replaced."""
        for _ in range(hung):
            hang(h.port, path)
        timeout = h.wait_log(TIMEOUT_LINE, 1, 20)
        self.assertTrue(timeout, h.log())
        pid, (head, body) = self.wait_dump(h, "before its timeout kill")
        self.assertEqual(pid, int(timeout[0].group(1)))
        text = "\n".join(body)
        self.assertTrue(body[0].startswith(f"worker {pid} (generation 1, worker 1)"), text)
        serving = [l for l in body if l.startswith("serving: ")]
        self.assertEqual(len(serving), hung, text)
        for line in serving:
            self.assertRegex(line, rf"^serving: thread \d+: GET {re.escape(path.split('?')[0])}, for \d+ ms$", text)
        self.assertInOrder(text, frames)
        self.assertNotIn("no stack dump within", h.log())
        self.assertReplaced(h, pid)
        return text


class TimeoutDumpTest(DumpTestCase):
    def test_sync_worker_hung_in_the_sleep_app(self):
        h = self.daemon(["-k", "sync", "--timeout", "1s", "sleep"], workers=1)
        text = self.assertTimeoutDump(h, "/hung/here?ms=30000", ["nanosleep", "sleep_handle+0x", "(sleep.so)"])
        self.assertIn("(sync.so)", text)

    def test_gthread_worker_hung_in_the_sleep_app(self):
        # Every handler thread held longer than timeout: the poller stops beating.
        h = self.daemon(["-k", "gthread", "--threads", "2", "--timeout", "1s", "sleep"], workers=1)
        text = self.assertTimeoutDump(h, "/hung/here?ms=30000", ["nanosleep", "sleep_handle+0x"], hung=2)
        self.assertIn("(gthread.so)", text)
        self.assertEqual(text.count("sleep_handle+0x"), 2, text)

    @unittest.skipIf(NO_WSGI, NO_WSGI)
    def test_wsgi_app_hung_in_a_nested_time_sleep(self):
        h = self.daemon(["-k", "sync", "--timeout", "1s", "--pythonpath", APPS, "hang:application"], workers=1)
        text = self.assertTimeoutDump(h, "/hang/30", [
            "(libpython3", "app wsgi stacks:", "Python threads, most recent call first:",
            "in innermost_sleeper", "in middle_step", "in outer_handler", "in application"])
        self.assertIn("hang.py", text)

    def test_a_boot_that_never_ends_is_dumped_where_it_waits(self):
        # reply_v1.so's create() sleeps boot_ms: the dump thread runs before it.
        h = self.daemon(["-k", "sync", "--timeout", "1s", "--app-config", "boot_ms=60000",
                         os.path.join(FIXTURES, "reply_v1.so")], workers=1)
        line = h.wait_log(r"Worker timeout \(pid: (\d+)\): no heartbeat for \d+ ms while booting", 1, 20)
        self.assertTrue(line, h.log())
        pid, (head, body) = self.wait_dump(h, "before its timeout kill")
        text = "\n".join(body)
        self.assertIn("serving: no request", text)
        self.assertInOrder(text, ["nanosleep", "(reply_v1.so)", "run_worker_process"])
        self.assertNotIn("(sync.so)", text, "the worker type never ran")
        self.assertTrue(h.wait_log(rf"Worker with pid {pid} was killed by signal 6", 1, 10), h.log())

    def test_a_worker_that_cannot_answer_is_still_killed_on_time(self):
        h = self.daemon(["-k", "sync", "--timeout", "1s", "--dump-timeout", "1s", "sleep"], workers=1)
        victim = next(iter(h.workers()))
        os.kill(victim, signal.SIGSTOP)  # no heartbeat, and no dump thread either
        stopped = time.monotonic()
        self.addCleanup(lambda: harness.Seen(victim).kill(signal.SIGKILL))
        line = h.wait_log(rf"Worker {victim}: no stack dump within 1000 ms; killing it", 1, 15)
        self.assertTrue(line, h.log())
        # timeout + dump_timeout, ABRT's grace before KILL (a stopped process
        # keeps ABRT pending), three 250 ms ticks, and room for a loaded machine.
        bound = 1 + 1 + 2 + 0.75 + 8
        self.assertTrue(h.wait_log(rf"Worker with pid {victim} was killed by signal 9", 1,
                                   bound - (time.monotonic() - stopped)), h.log())
        self.assertNotRegex(h.log(), DUMP_HEAD.format(why=".*"))
        self.assertReplaced(h, victim)

    def test_dump_timeout_zero_kills_without_asking(self):
        h = self.daemon(["-k", "sync", "--timeout", "1s", "--dump-timeout", "0", "sleep"], workers=1)
        hang(h.port, "/?ms=30000")
        line = h.wait_log(TIMEOUT_LINE + r".*; sending ABRT", 1, 20)
        self.assertTrue(line, h.log())
        self.assertReplaced(h, int(line[0].group(1)))
        self.assertNotIn("Stack dump of worker", h.log())


class OnDemandDumpTest(DumpTestCase):
    def test_urg_to_a_worker_dumps_it_and_it_keeps_serving(self):
        h = self.daemon(["-k", "gthread", "--threads", "4", "sleep"], workers=2)
        victim = sorted(h.workers())[0]
        with Load(h.port, threads=2, path="/?ms=1") as load:
            # Both workers serve (a dump while one still boots shows its boot).
            self.assertTrue(wait_until(lambda: load.served() > 20, 10), "the load did not start")
            served = load.served()
            os.kill(victim, signal.SIGURG)
            pid, (head, body) = self.wait_dump(h, "on request")
            self.assertEqual(pid, victim)
            self.assertTrue(wait_until(lambda: load.served() > served + 50, 10), "the load stalled")
        self.assertEqual(load.failures, [], load.failures)
        self.assertIn(victim, h.workers(), "a dump on demand kills no one")
        text = "\n".join(body)
        self.assertIn('"hornet-dump": taking this dump', text)
        self.assertIn("(gthread.so)", text)
        self.assertNotIn("killed by signal", h.log())

    def test_urg_to_the_arbiter_dumps_every_worker(self):
        h = self.daemon(["-k", "sync", "sleep"], workers=2)
        workers = h.workers()
        os.kill(h.pid, signal.SIGURG)
        hits = h.wait_log(DUMP_HEAD.format(why="on request"), 2, 20)
        self.assertEqual({int(m.group(1)) for m in hits}, workers, h.log())
        self.assertEqual(h.workers(), workers)

    def test_a_worker_that_cannot_answer_an_urg_is_named_and_left_alone(self):
        h = self.daemon(["-k", "sync", "--dump-timeout", "1s", "sleep"], workers=2)
        stopped, other = sorted(h.workers())
        os.kill(stopped, signal.SIGSTOP)
        self.addCleanup(lambda: harness.Seen(stopped).kill(signal.SIGCONT))
        os.kill(h.pid, signal.SIGURG)
        self.assertTrue(h.wait_log(rf"worker {stopped}: no stack dump within 1000 ms", 1, 15), h.log())
        self.assertTrue(h.wait_log(DUMP_HEAD.format(why="on request").replace(r"(\d+)", str(other)), 1, 5), h.log())
        self.assertNotIn(f"Stack dump of worker {stopped}", h.log())
        self.assertEqual(h.workers(), {stopped, other}, "a dump on demand kills no one")

    def test_dump_timeout_is_bounded(self):
        rc, _, err = harness.run_once(["--dump-timeout", "2m", "--check-config", "sleep"], self.tmp)
        self.assertEqual(rc, 2, err)
        self.assertOneErrorLine(err, "dump-timeout", "at most 1m, got '2m'")


class CtlDumpTest(DumpTestCase):
    def start(self, *args, workers=2):
        self.sock = os.path.join(self.tmp, "ctl.sock")
        return self.daemon(["--control-socket", self.sock, *args], workers=workers)

    def ctl(self, *args):
        """hornet ctl ARGS on this test's socket: (exit status, stdout, stderr)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HORNET_")}
        p = subprocess.run([harness.HORNET_BIN, "ctl", "--socket", self.sock, *args], capture_output=True,
                           text=True, timeout=60, env=env)
        return p.returncode, p.stdout, p.stderr

    def test_ctl_dump_pid_prints_a_live_workers_dump(self):
        h = self.start("-k", "sync", "sleep")
        victim = sorted(h.workers())[0]
        rc, out, err = self.ctl("dump", str(victim))
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith(f"worker {victim} (generation 1, worker "), out)
        self.assertTrue(out.endswith("end of stack dump\n"), out)
        self.assertIn("(sync.so)", out)
        self.assertTrue(h.wait_log(DUMP_HEAD.format(why="on request").replace(r"(\d+)", str(victim))), h.log())
        self.assertIn(victim, h.workers(), "a dump on demand kills no one")
        self.assertEqual(self.get(h, "/?ms=0")[0], 200)

    def test_ctl_dump_without_pid_dumps_every_worker_and_names_the_silent_one(self):
        h = self.start("-k", "sync", "--dump-timeout", "1s", "sleep")
        stopped, other = sorted(h.workers())
        os.kill(stopped, signal.SIGSTOP)
        self.addCleanup(lambda: harness.Seen(stopped).kill(signal.SIGCONT))
        rc, out, err = self.ctl("--json", "dump")
        self.assertEqual(rc, 0, err)
        result = json.loads(out)["result"]
        self.assertEqual([d["pid"] for d in result["dumps"]], [other], result)
        self.assertTrue(result["dumps"][0]["text"].startswith(f"worker {other} "), result)
        self.assertEqual(result["failed"], [{"pid": stopped, "error": f"worker {stopped}: no stack dump within 1000 ms"}])
        rc, out, err = self.ctl("dump", str(stopped))
        self.assertEqual((rc, out), (1, ""), err)
        self.assertEqual(err, f"hornet ctl: worker {stopped}: no stack dump within 1000 ms\n")
        self.assertEqual(h.workers(), {stopped, other})

    def test_ctl_dump_of_no_worker_is_one_line(self):
        h = self.start("-k", "sync", "sleep", workers=1)
        for arg, says in ((str(h.pid), f"dump: no worker with pid {h.pid}"), ("x1", "usage: dump [PID]")):
            rc, out, err = self.ctl("dump", arg)
            self.assertEqual((rc, out), (1, ""), err)
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertIn(says, err)


if __name__ == "__main__":
    harness.main()
