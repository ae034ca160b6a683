"""The arbiter's life cycle under a client load: reloads (good, bad, with a
swapped app .so), TTIN/TTOU, max_requests recycling and a binary upgrade must
each fail zero requests. Also: a worker whose app hangs is killed after
`timeout` and replaced while the others keep answering.

Every load is bounded (Load's max_seconds) and every daemon is stopped by PID.
"""

import os
import shutil
import signal
import sys
import threading
import time

from harness import (HornetTestCase, Load, children_of, http, main, stop_arbiter,
                     wait_until)

FIXTURES = os.environ.get("HORNET_FIXTURE_DIR", "")
RELOADED = r"Reloaded: now serving generation"


class LifecycleTest(HornetTestCase):
    def setUp(self):
        super().setUp()
        self.app = os.path.join(self.tmp, "app.so")
        shutil.copy(os.path.join(FIXTURES, "reply_v1.so"), self.app)
        self.config = os.path.join(self.tmp, "hornet.yaml")
        self.write_config()

    def write_config(self, extra=""):
        with open(self.config, "w") as f:
            f.write(f"bind: 127.0.0.1:0\nworkers: 2\napp: {self.app}\n"
                    f"graceful_timeout: 5s\n{extra}")

    def start(self, *args, workers=2):
        return self.daemon(["-c", self.config, *args], workers=workers)

    def assertNoFailures(self, load, at_least=50):
        print(f"{self.id().split('.')[-1]}: {load.ok} requests ok, {len(load.failures)} failed", file=sys.stderr)
        self.assertEqual(load.failures, [], f"{len(load.failures)} failed requests")
        self.assertGreaterEqual(load.ok, at_least, "the load hardly ran")

    def reload(self, h, count):
        """HUP and wait for the count-th "Reloaded" line."""
        os.kill(h.pid, signal.SIGHUP)
        hits = h.wait_log(RELOADED, count)
        self.assertEqual(len(hits), count, f"reload {count} did not finish:\n{h.log()}")

    def test_five_reloads_in_a_row_fail_no_request(self):
        h = self.start()
        with Load(h.port) as load:
            for i in range(1, 6):
                served = load.served()
                self.assertTrue(wait_until(lambda: load.served() > served + 100, 10), "no traffic in flight")
                self.reload(h, i)
            self.assertTrue(wait_until(lambda: load.served() > 600, 10), "the load stalled")
        self.assertNoFailures(load)
        # Each generation replaced the whole pool; only the last one is left.
        wait_until(lambda: len(h.workers()) == 2, 10)
        self.assertEqual(len(h.workers()), 2)

    def test_app_swapped_on_disk_is_served_after_reload(self):
        h = self.start()
        with Load(h.port) as load:
            self.assertTrue(wait_until(lambda: load.served() > 20, 10), "the load stalled")
            self.swap_app()
            self.reload(h, 1)
            promoted = time.monotonic()
            self.assertTrue(wait_until(lambda: load.served() > 200, 10), "the load stalled")
        self.assertNoFailures(load)
        self.assertIn(b"v1\n", [b for _, b in load.bodies])
        # Once the old generation has gone, every answer is the new version.
        wait_until(lambda: len(h.workers()) == 2, 10)
        self.assertEqual(self.get(h)[2], b"v2\n")
        late = [b for t, b in load.bodies if t > promoted + 2.0]
        self.assertTrue(all(b == b"v2\n" for b in late), set(late))

    def swap_app(self):
        """Replace app.so by rename, as a deploy does."""
        new = self.app + ".new"
        shutil.copy(os.path.join(FIXTURES, "reply_v2.so"), new)
        os.rename(new, self.app)

    def test_preloaded_app_is_created_afresh_on_reload(self):
        h = self.start("--preload")
        self.assertEqual(self.get(h)[2], b"v1\n")
        self.swap_app()
        self.reload(h, 1)
        wait_until(lambda: len(h.workers()) == 2, 10)
        self.assertEqual(self.get(h)[2], b"v2\n")

    def test_bad_reload_keeps_the_running_generation(self):
        h = self.start()
        workers = h.workers()
        with Load(h.port) as load:
            self.write_config("workrs: 3\n")
            os.kill(h.pid, signal.SIGHUP)
            line = h.wait_log(r"Reload failed: .*workrs")
            self.assertTrue(line, h.log())
            self.write_config(f"worker_class: {os.path.join(FIXTURES, 'not_elf.so')}\n")
            os.kill(h.pid, signal.SIGHUP)
            self.assertEqual(len(h.wait_log(r"Reload failed: ", 2)), 2, h.log())
            self.assertTrue(wait_until(lambda: load.served() > 100, 10), "the load stalled")
        self.assertNoFailures(load)
        self.assertEqual(h.workers(), workers, "the serving workers were touched")
        self.assertIn("did you mean 'workers'", h.log())
        self.assertIn("not_elf.so: cannot load", h.log())
        self.assertEqual(self.get(h)[0], 200)

    def test_reload_whose_workers_cannot_boot_is_rolled_back(self):
        h = self.start()
        workers = h.workers()
        with Load(h.port) as load:
            self.write_config("timeout: 1s\napp_config:\n  boot_ms: 60000\n")
            os.kill(h.pid, signal.SIGHUP)
            self.assertTrue(h.wait_log(r"Reload failed: the new workers were not ready", 1, 15), h.log())
            self.assertTrue(wait_until(lambda: load.served() > 100, 10), "the load stalled")
        self.assertNoFailures(load)
        self.assertEqual(h.workers() & workers, workers)

    def test_ttin_then_ttou(self):
        h = self.start()
        with Load(h.port) as load:
            os.kill(h.pid, signal.SIGTTIN)
            self.assertTrue(wait_until(lambda: len(h.workers()) == 3, 10), h.log())
            os.kill(h.pid, signal.SIGTTOU)
            self.assertTrue(wait_until(lambda: len(h.workers()) == 2, 10), h.log())
            self.assertTrue(wait_until(lambda: load.served() > 100, 10), "the load stalled")
        self.assertNoFailures(load)

    def test_ttou_never_goes_below_one(self):
        h = self.start("-w", "1", workers=1)
        os.kill(h.pid, signal.SIGTTOU)
        self.assertTrue(h.wait_log(r"TTOU never goes below one"), h.log())
        self.assertEqual(len(h.workers()), 1)

    def test_max_requests_recycles_one_worker_at_a_time(self):
        h = self.start("--max-requests", "50")
        with Load(h.port) as load:
            hits = h.wait_log(r"served \d+ requests \(max_requests\): replacing it", 4, 20)
            self.assertGreaterEqual(len(hits), 4, h.log())
        self.assertNoFailures(load)
        self.assertEqual(self.get(h)[0], 200)

    def test_usr2_then_term_to_the_old_arbiter(self):
        pidfile = os.path.join(self.tmp, "hornet.pid")
        h = self.start("--pid", pidfile)
        old = h.pid
        with Load(h.port) as load:
            os.kill(old, signal.SIGUSR2)
            self.assertTrue(wait_until(lambda: os.path.exists(pidfile + ".oldbin"), 10), h.log())
            # Between the rename and the new arbiter's write there is no pid file.
            new = int(wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), 10))
            self.addCleanup(stop_arbiter, new)
            self.assertNotEqual(new, old)
            self.assertTrue(h.wait_log(rf"\[{new}\] \[INFO\] Booting worker", 2), h.log())
            self.assertTrue(wait_until(lambda: len(children_of(new)) == 2, 10), h.log())
            os.kill(old, signal.SIGTERM)
            self.assertEqual(h.wait_exit(), 0, h.log())
            served = load.served()
            self.assertTrue(wait_until(lambda: load.served() > served + 100, 10), "the load stalled")
        self.assertNoFailures(load)
        self.assertFalse(os.path.exists(pidfile + ".oldbin"))
        self.assertEqual(int(open(pidfile).read()), new)

    def test_hung_worker_is_killed_after_timeout_and_replaced(self):
        h = self.start("--timeout", "1s")
        hung = threading.Thread(target=self.request_hang, args=(h.port,), daemon=True)
        with Load(h.port, threads=2) as load:
            hung.start()
            line = h.wait_log(r"Worker timeout \(pid: (\d+)\): no heartbeat for \d+ ms while serving", 1, 15)
            self.assertTrue(line, h.log())
            victim = int(line[0].group(1))
            self.assertTrue(h.wait_log(rf"Worker with pid {victim} was killed by signal 6 \(SIGABRT\)", 1, 10),
                            h.log())
            self.assertTrue(wait_until(lambda: len(h.workers()) == 2 and victim not in h.workers(), 10))
            served = load.served()
            self.assertTrue(wait_until(lambda: load.served() > served + 50, 10), "the load stalled")
        hung.join(15)
        self.assertNoFailures(load)

    def request_hang(self, port):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            c.request("GET", "/hang")
            c.getresponse().read()
        except (OSError, http.client.HTTPException):
            pass  # the worker died under it: that is the point
        finally:
            c.close()

    def test_sigkilled_worker_is_replaced(self):
        h = self.start()
        victim = sorted(h.workers())[0]
        with Load(h.port, threads=2) as load:
            os.kill(victim, signal.SIGKILL)
            self.assertTrue(wait_until(lambda: len(h.workers()) == 2 and victim not in h.workers(), 5))
            served = load.served()
            self.assertTrue(wait_until(lambda: load.served() > served + 50, 10), "the load stalled")
        # A request the victim had already accepted may fail; nothing else.
        self.assertLessEqual(len(load.failures), 1, load.failures)

    def test_worker_that_cannot_boot_while_others_serve_is_retried(self):
        flag = os.path.join(self.tmp, "broken")
        self.write_config(f"app_config:\n  fail_if_exists: {flag}\n")
        h = self.start("--log-level", "debug")
        # Both apps must be up before the flag appears, or the second worker
        # fails too and, with the victim gone, none serves (hornet stops).
        self.assertEqual(len(h.wait_log(r"Worker with pid \d+ is ready", 2)), 2, h.log())
        victim = sorted(h.workers())[0]
        with Load(h.port, threads=2) as load:
            open(flag, "w").close()
            os.kill(victim, signal.SIGKILL)
            self.assertTrue(h.wait_log(r"A worker could not boot; 1 worker\(s\) still serve; trying again in 1 s"),
                            h.log())
            self.assertTrue(h.running())
            served = load.served()
            self.assertTrue(wait_until(lambda: load.served() > served + 50, 10), "the load stalled")
            os.remove(flag)
            self.assertTrue(wait_until(lambda: len(h.workers()) == 2 and victim not in h.workers(), 15), h.log())
        self.assertLessEqual(len(load.failures), 1, load.failures)  # one the victim had accepted, at most

    def test_app_that_cannot_boot_at_start_stops_hornet(self):
        flag = os.path.join(self.tmp, "broken")
        open(flag, "w").close()
        self.write_config(f"app_config:\n  fail_if_exists: {flag}\n")
        h = self.daemon(["-c", self.config], ready=False)
        self.assertEqual(h.wait_exit(), 3, h.log())
        self.assertIn("Worker failed to boot", h.log())
        self.assertIn(f"{flag} exists", h.log())

    def test_signals_during_a_reload_do_not_fail_it(self):
        # The arbiter waits for its plugin probe while signals keep coming
        # (here USR1, as SIGCHLD comes when old workers leave): an
        # interrupted wait is no hung probe, and the reload goes through.
        h = self.start()
        stop = threading.Event()

        def pester():
            while not stop.is_set():
                os.kill(h.pid, signal.SIGUSR1)
                time.sleep(0.002)

        t = threading.Thread(target=pester, daemon=True)
        t.start()
        try:
            for i in range(1, 6):
                self.reload(h, i)
        finally:
            stop.set()
            t.join(5)
        self.assertNotIn("Reload failed", h.log())

    def test_winch_stops_the_workers_and_hup_brings_them_back(self):
        h = self.start()
        os.kill(h.pid, signal.SIGWINCH)
        self.assertTrue(wait_until(lambda: len(h.workers()) == 0, 10), h.log())
        self.assertTrue(h.running())
        os.kill(h.pid, signal.SIGHUP)
        self.assertTrue(wait_until(lambda: len(h.workers()) == 2, 10), h.log())
        self.assertEqual(self.get(h)[0], 200)


if __name__ == "__main__":
    main()
