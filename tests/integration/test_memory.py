"""max_worker_memory against the real daemon: a worker whose app allocates
past the limit (the probe app's /alloc/N keeps N MiB resident) is replaced,
replacement first and gracefully, with no failed request under load (a new
connection per request on sync, keep-alive on gthread), and the log line
gives the figure; past max_worker_memory_hard it is killed at once and
replaced. The arbiter reads /proc every memory_check_interval (250ms here).

Broken by hand, these fail: with start_recycling's over_soft_limit branch
removed, no "replacing it" line comes (wait_log times out); with the
SIGKILL removed, the hard-limit worker lives on. The order (replacement
ready before the old worker is asked to leave) is proved by the reconciler
unit tests: retiring at once loses no request here either, since the other
worker and the listen backlog cover the gap.
"""

import http.client
import os
import re
import signal
import sys

from harness import HornetTestCase, KeepAliveLoad, Load, main, wait_until

FIXTURES = os.environ.get("HORNET_FIXTURE_DIR", "")
PROBE = os.path.join(FIXTURES, "probe.so")
SOFT = "64MiB"
ALLOC = 96  # MiB, on top of a worker's own few MiB


def pid_of(body):
    m = re.search(rb"pid=(\d+)", body)
    if not m:
        raise AssertionError(f"no pid in {body!r}")
    return int(m.group(1))


class MemoryRecycling(HornetTestCase):
    def start_hornet(self, kind, *args):
        extra = ("--threads", "4") if kind == "gthread" else ()
        return self.daemon(["-k", kind, *extra, "--memory-check-interval", "250ms", "--keep-alive", "2s",
                            "--graceful-timeout", "15s", *args, PROBE], workers=2, graceful=None)

    def allocate(self, h):
        status, _, body = self.get(h, f"/alloc/{ALLOC}")
        self.assertEqual(status, 200, body)
        return pid_of(body)

    def more_traffic(self, load, n=200):
        start = load.served()
        self.assertTrue(wait_until(lambda: load.served() >= start + n, 30), "the load stalled")

    def replaced(self, h, fat):
        self.assertTrue(wait_until(lambda: fat not in h.workers() and len(h.workers()) == 2, 20),
                        f"{fat} still there or not 2 workers: {h.workers()}\n{h.log()}")

    def check_soft(self, kind, load_type, metric):
        h = self.start_hornet(kind, "--max-worker-memory", SOFT, "--worker-memory-metric", metric)
        with load_type(h.port) as load:
            self.more_traffic(load, 50)
            fat = self.allocate(h)
            line = rf"Worker with pid {fat} uses (\d+\.\d) MiB \({metric.upper()}\), past max_worker_memory 64\.0 MiB: replacing it"
            self.assertTrue(h.wait_log(line, timeout=20), h.log())
            figure = float(re.search(line, h.log()).group(1))
            # The check may land while the app is still allocating: past the limit is what counts.
            self.assertGreater(figure, 64.0, h.log())
            self.replaced(h, fat)
            self.more_traffic(load)
        print(f"{kind}: {load.ok} answered, {len(load.failures)} lost", file=sys.stderr)
        self.assertEqual(load.failures, [], f"{len(load.failures)} requests lost, e.g. {load.failures[:3]}")
        log = h.log()
        self.assertNotIn(f"Worker with pid {fat} was killed", log, "recycling is graceful")
        self.assertNotIn("max_worker_memory_hard", log)
        h.stop()
        self.assertIn("Worker restarts: 1 max_worker_memory\n", h.log() + "\n")
        # The replacement was forked before the old worker was asked to go.
        boots = h.boot_pids()
        self.assertEqual(len(boots), 3, log)
        self.assertLess(log.index(line.split(" uses")[0]), log.index(f"Booting worker with pid: {boots[2]}"))

    def test_sync_worker_past_the_limit_is_replaced_with_no_failed_request(self):
        self.check_soft("sync", Load, "pss")

    def test_gthread_worker_past_the_limit_is_replaced_with_no_failed_keepalive_request(self):
        self.check_soft("gthread", KeepAliveLoad, "rss")

    def test_a_worker_under_the_limit_is_left_alone(self):
        h = self.start_hornet("sync", "--max-worker-memory", "1GiB")
        pids = sorted(h.workers())
        self.allocate(h)
        # Four checks later, the same two workers serve.
        self.assertFalse(h.wait_log(r"replacing it|killing it", timeout=1.0), h.log())
        self.assertEqual(sorted(h.workers()), pids)

    def test_a_worker_past_the_hard_limit_is_killed_at_once_and_replaced(self):
        h = self.start_hornet("sync", "--max-worker-memory-hard", SOFT)
        try:  # the kill may come before the answer: the log names the worker
            self.get(h, f"/alloc/{ALLOC}")
        except (OSError, http.client.HTTPException):
            pass
        line = r"Worker with pid (\d+) uses \d+\.\d MiB \(RSS\), past max_worker_memory_hard 64\.0 MiB: killing it"
        self.assertTrue(h.wait_log(line, timeout=20), h.log())
        fat = int(re.search(line, h.log()).group(1))
        self.assertTrue(h.wait_log(rf"Worker with pid {fat} was killed by signal {int(signal.SIGKILL)}", timeout=10),
                        h.log())
        self.replaced(h, fat)
        status, _, _ = self.get(h, "/")
        self.assertEqual(status, 200)
        h.stop()
        self.assertIn("Worker restarts: 1 max_worker_memory_hard", h.log())


if __name__ == "__main__":
    main()
