"""Container-aware defaults against the real daemon: started inside a cgroup
with a CPU quota of one CPU (v1 `cpu` on this hybrid, v2 `cpu.max` where the
v2 cpu controller is on), hornet's default and `--workers auto` are
2 x 1 + 1 = 3 workers whatever the host's CPU count; --print-config says so
in a comment and stays loadable. A memory cgroup smaller than
workers x max_worker_memory is warned about at start. Each test creates its
own cgroup and removes it once hornet is gone.

Broken by hand (cpu_budget ignoring the quota), the worker count is the
host's 2 x CPUs + 1 and the count and the comment checks fail.
"""

import os
import subprocess
import uuid

from harness import HORNET_BIN, HornetTestCase, main, wait_until

ROOT = "/sys/fs/cgroup"


def v2_cpu_root():
    """The cgroup2 mount with the cpu controller enabled, or None."""
    for mount in (ROOT, os.path.join(ROOT, "unified")):
        try:
            with open(os.path.join(mount, "cgroup.controllers")) as f:
                if "cpu" in f.read().split():
                    return mount
        except OSError:
            pass
    return None


def remove_cgroup(path):
    """rmdir once its last process is gone (EBUSY meanwhile)."""
    def gone():
        try:
            os.rmdir(path)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            return False
    if not wait_until(gone, 10):
        raise AssertionError(f"cgroup {path} still busy")


class ContainerDefaults(HornetTestCase):
    def make_cgroup(self, controller):
        """A fresh cgroup (removed at cleanup) and the function that joins it."""
        name = f"hornet-it-{uuid.uuid4().hex[:8]}"
        if controller == "cpu" and v2_cpu_root():
            path = os.path.join(v2_cpu_root(), name)
        else:
            path = os.path.join(ROOT, controller, name)
            if not os.path.isdir(os.path.dirname(path)):
                self.skipTest(f"no cgroup {controller} controller mounted")
        os.mkdir(path)
        self.addCleanup(remove_cgroup, path)

        def join():
            with open(os.path.join(path, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
        return path, join

    def one_cpu(self):
        path, join = self.make_cgroup("cpu")
        if os.path.exists(os.path.join(path, "cpu.max")):
            with open(os.path.join(path, "cpu.max"), "w") as f:
                f.write("100000 100000")
        else:
            with open(os.path.join(path, "cpu.cfs_period_us"), "w") as f:
                f.write("100000")
            with open(os.path.join(path, "cpu.cfs_quota_us"), "w") as f:
                f.write("100000")
        return path, join

    def test_one_cpu_quota_gives_three_workers_by_default(self):
        self.assertGreaterEqual(os.cpu_count(), 2, "the test proves nothing on one CPU")
        path, join = self.one_cpu()
        h = self.daemon(["hello"], workers=None, ready=False, preexec=join)
        h.wait_ready(3)
        self.assertTrue(h.wait_log(r"Using 3 workers \(auto: 2 x 1 CPU\(s\) \+ 1 = 3", timeout=5), h.log())
        self.assertIn(path, h.log())
        # No fourth worker comes: the count is settled once three are ready.
        self.assertEqual(len(h.wait_log(r"Booting worker", count=4, timeout=1.0)), 3, h.log())
        self.assertEqual(len(h.workers()), 3, h.log())

    def test_workers_auto_and_print_config_name_the_quota(self):
        path, join = self.one_cpu()
        out = subprocess.run([HORNET_BIN, "--workers", "auto", "--print-config", "hello"], capture_output=True,
                             text=True, timeout=20, preexec_fn=join, check=True).stdout
        line = next(l for l in out.splitlines() if l.startswith("workers:"))
        self.assertTrue(line.startswith("workers: auto  # 2 x 1 CPU(s) + 1 = 3;"), line)
        self.assertIn(path, line)
        printed = os.path.join(self.tmp, "printed.yaml")
        with open(printed, "w") as f:
            f.write(out)
        again = subprocess.run([HORNET_BIN, "-c", printed, "--print-config"], capture_output=True, text=True,
                               timeout=20, preexec_fn=join)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, out)

    def test_a_memory_limit_below_workers_times_max_worker_memory_is_logged(self):
        path, join = self.make_cgroup("memory")
        limit = os.path.join(path, "memory.max")
        if not os.path.exists(limit):
            limit = os.path.join(path, "memory.limit_in_bytes")
        with open(limit, "w") as f:
            f.write(str(256 << 20))
        h = self.daemon(["--max-worker-memory", "100MiB", "hello"], workers=3, preexec=join)
        self.assertTrue(h.wait_log(r"The cgroup memory limit, 256\.0 MiB \(.*\), is below workers x "
                                   r"max_worker_memory = 3 x 100\.0 MiB = 300\.0 MiB", timeout=5), h.log())
        self.assertIn(path, h.log())


if __name__ == "__main__":
    main()
