"""Metrics: the arbiter's /metrics read back through a real Prometheus, and
statsd datagrams received by the test.

One Prometheus (Debian's prometheus package) runs for the module, on
127.0.0.1 with its own storage in a temp dir, scraping every 1 s the
targets the tests write into a file_sd file; it is killed by PID at the
end. Each test starts its own hornet with --metrics-bind 127.0.0.1:0 and
learns the port from the arbiter's "Metrics at:" line. Values are read
back with Prometheus's HTTP API (/api/v1/query) and compared with the exact
number of requests the test made.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request

import harness
from harness import HornetTestCase, Seen, wait_until

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
METRICS_RE = r"Metrics at: http://127\.0\.0\.1:(\d+)/metrics"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    """A real Prometheus on loopback, scraping file_sd targets every second."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hornet-prom-")
        self.targets = os.path.join(self.dir, "targets.json")
        self.port = free_port()
        self._targets = []
        self._write_targets()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                    "scrape_configs:\n  - job_name: hornet\n    file_sd_configs:\n"
                    f"      - files: ['{self.targets}']\n        refresh_interval: 1s\n")
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={self.dir}/data",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=harness._child_setup)
        self.seen = Seen(self.proc.pid)
        if not wait_until(self._ready, 30, 0.2):
            self.stop()
            raise AssertionError(f"prometheus did not start:\n{self.logtext()}")

    def _ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def _write_targets(self):
        tmp = self.targets + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self._targets, f)
        os.replace(tmp, self.targets)

    def scrape(self, port, test):
        """Add a hornet's metrics port, labelled test=<test>."""
        self._targets.append({"targets": [f"127.0.0.1:{port}"], "labels": {"test": test}})
        self._write_targets()

    def query(self, expr):
        """The instant vector of expr: [(labels, float)]."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise AssertionError(f"prometheus query {expr!r}: {body}")
        return [(s["metric"], float(s["value"][1])) for s in body["data"]["result"]]

    def value(self, expr):
        """expr's one value, or None while there is none."""
        result = self.query(expr)
        return result[0][1] if len(result) == 1 else None

    def wait_value(self, expr, want, timeout=30):
        """Wait until expr is exactly want; returns the last value seen."""
        last = [None]

        def check():
            last[0] = self.value(expr)
            return last[0] == want

        wait_until(check, timeout, 0.25)
        return last[0]

    def logtext(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-3000:]

    def stop(self):
        self.seen.kill(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.seen.kill(signal.SIGKILL)
            self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.dir, True)


def parse_metrics(text):
    """{(name, frozenset(labels.items())): value} from the text format."""
    out = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        if not m:
            raise AssertionError(f"not the text format: {line!r}")
        labels = frozenset(label_re.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def sample(metrics, name, **labels):
    return metrics.get((name, frozenset(labels.items())))


class MetricsTestCase(HornetTestCase):
    prometheus = None

    @classmethod
    def setUpClass(cls):
        cls.prometheus = None
        if os.access(PROMETHEUS, os.X_OK):
            cls.prometheus = Prometheus()

    @classmethod
    def tearDownClass(cls):
        if cls.prometheus:
            cls.prometheus.stop()

    def need_prometheus(self):
        if not self.prometheus:
            self.skipTest("no prometheus (Debian's prometheus package; scripts/dev test installs it)")
        return self.prometheus

    def metrics_daemon(self, args, workers=2, **kw):
        h = self.daemon(["--metrics-bind", "127.0.0.1:0"] + list(args), workers=workers, **kw)
        m = h.wait_log(METRICS_RE)
        self.assertTrue(m, h.log())
        h.metrics_port = int(m[0].group(1))
        return h

    def scrape(self, h, path="/metrics", method="GET"):
        c = http.client.HTTPConnection("127.0.0.1", h.metrics_port, timeout=10)
        try:
            c.request(method, path)
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode()
        finally:
            c.close()

    def metrics(self, h):
        status, _, body = self.scrape(h)
        self.assertEqual(status, 200)
        return parse_metrics(body)

    def wait_metric(self, h, want, name, **labels):
        """Poll /metrics until name{labels} == want; returns the last value."""
        last = [None]

        def check():
            last[0] = sample(self.metrics(h), name, **labels)
            return last[0] == want

        wait_until(check, 15, 0.05)
        return last[0]

    def requests(self, h, n, method="GET", path="/"):
        for _ in range(n):
            status, _, _ = self.get(h, path, method=method)
            self.assertLess(status, 500)

    def bad_request(self, h):
        with socket.create_connection(("127.0.0.1", h.port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n")
            self.assertIn(b" 400 ", s.recv(4096))


class PrometheusCounts(MetricsTestCase):
    def test_prometheus_reads_exact_counts_for_every_worker_type(self):
        prom = self.need_prometheus()
        counts = {"sync": (23, 4, 3), "gthread": (31, 5, 2), "async": (17, 6, 1)}  # GET, DELETE, 400s
        for kind, (gets, deletes, bad) in counts.items():
            args = ["-k", kind, "hello"] + (["--threads", "4"] if kind == "gthread" else [])
            h = self.metrics_daemon(args)
            prom.scrape(h.metrics_port, f"counts-{kind}")
            self.requests(h, gets)
            self.requests(h, deletes, method="DELETE")
            for _ in range(bad):
                self.bad_request(h)
        for kind, (gets, deletes, bad) in counts.items():
            sel = f'test="counts-{kind}",worker_type="{kind}"'
            self.assertEqual(prom.wait_value(
                f'hornet_http_requests_total{{{sel},status_class="2xx",method="GET"}}', gets), gets, kind)
            self.assertEqual(prom.wait_value(
                f'hornet_http_requests_total{{{sel},status_class="2xx",method="DELETE"}}', deletes), deletes)
            self.assertEqual(prom.wait_value(
                f'sum(hornet_http_requests_total{{{sel},status_class="4xx"}})', bad), bad)
            total = gets + deletes
            self.assertEqual(prom.wait_value(
                f'hornet_http_request_duration_seconds_count{{{sel}}}', total + bad), total + bad)
            self.assertEqual(prom.wait_value(
                f'hornet_http_request_queue_seconds_count{{{sel}}}', total), total,
                "every parsed request has a queue time")
            self.assertGreater(prom.value(f'hornet_http_response_body_bytes_total{{{sel}}}'), 0)
            self.assertGreater(prom.value(f'hornet_http_request_bytes_total{{{sel}}}'), 0)
            self.assertEqual(prom.value(f'hornet_workers{{{sel}}}'), 2)
            rss = prom.query(f'hornet_worker_resident_memory_bytes{{test="counts-{kind}"}}')
            self.assertEqual(len(rss), 2, rss)
            self.assertTrue(all(v > 1e6 for _, v in rss), rss)
        info = prom.query('hornet_build_info{test="counts-sync"}')
        self.assertEqual(len(info), 1)
        self.assertRegex(info[0][0]["abi"], r"^1\.\d+$")


class Monotonic(MetricsTestCase):
    def test_counters_survive_a_worker_kill_and_a_reload(self):
        prom = self.need_prometheus()
        h = self.metrics_daemon(["-k", "gthread", "--threads", "2", "hello"])
        prom.scrape(h.metrics_port, "monotonic")
        sel = 'test="monotonic",status_class="2xx",method="GET"'
        self.requests(h, 20)
        self.assertEqual(prom.wait_value(f"hornet_http_requests_total{{{sel}}}", 20), 20)
        victim = sorted(h.workers())[0]
        os.kill(victim, signal.SIGKILL)
        h.wait_log(r"Booting worker with pid", count=3)
        self.requests(h, 10)
        self.assertEqual(self.wait_metric(h, 1, "hornet_worker_restarts_total", reason="crash"), 1)
        os.kill(h.pid, signal.SIGHUP)
        self.assertTrue(h.wait_log(r"Reloaded: now serving"), h.log())
        self.requests(h, 10)
        self.assertEqual(self.wait_metric(h, 40, "hornet_http_requests_total", worker_type="gthread",
                                          status_class="2xx", method="GET"), 40)
        self.assertEqual(prom.wait_value(f"hornet_http_requests_total{{{sel}}}", 40), 40)
        # The counter went 20 -> 40 across both without a drop Prometheus would see.
        self.assertEqual(prom.value(f"resets(hornet_http_requests_total{{{sel}}}[5m])"), 0)
        m = self.metrics(h)
        self.assertEqual(sample(m, "hornet_worker_restarts_total", reason="reload"), 2)
        self.assertEqual(sample(m, "hornet_reloads_total", result="success"), 1)
        self.assertEqual(sample(m, "hornet_reload_last_success"), 1)
        self.assertGreater(sample(m, "hornet_reload_last_timestamp_seconds"), time.time() - 60)
        # "Worker with pid N was killed by signal 9" is an error line.
        self.assertGreaterEqual(sample(m, "hornet_log_messages_total", level="error"), 1)


def histogram(metrics, name, **labels):
    """{le: cumulative count} of one histogram."""
    out = {}
    for (n, ls), v in metrics.items():
        d = dict(ls)
        if n == name + "_bucket" and all(d.get(k) == w for k, w in labels.items()):
            out[d["le"]] = v
    return out


class QueueTime(MetricsTestCase):
    def test_queue_time_grows_when_workers_are_saturated(self):
        # One sync worker serves one request at a time: 8 clients asking for
        # 250 ms each wait in the listen backlog for up to ~2 s.
        h = self.metrics_daemon(["-k", "sync", "sleep", "--backlog", "64"], workers=1)
        for _ in range(4):  # not saturated: one after another
            self.assertEqual(self.get(h, "/?ms=20")[0], 200)
        # The worker records a request once its answer is out: the client
        # may ask /metrics before the last one is counted.
        def calm_now():
            return histogram(self.metrics(h), "hornet_http_request_queue_seconds", worker_type="sync")
        wait_until(lambda: calm_now().get("+Inf") == 4, 5)
        calm = calm_now()
        self.assertEqual(calm["+Inf"], 4)
        self.assertEqual(calm["0.05"], 4, f"an idle worker takes a request at once: {calm}")

        statuses, backlog = [], []
        def client():
            statuses.append(self.get(h, "/?ms=250", timeout=30)[0])
        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        def queued():
            v = sample(self.metrics(h), "hornet_listen_queue_length", listener=h.url)
            backlog.append(v)
            return v and v > 0
        self.assertTrue(wait_until(queued, 10, 0.02), f"backlog never seen above 0: {backlog[-5:]}")
        for t in threads:
            t.join(30)
        self.assertEqual(statuses, [200] * 8)
        busy = histogram(self.wait_until_count(h, 12), "hornet_http_request_queue_seconds", worker_type="sync")
        self.assertEqual(busy["+Inf"], 12)
        late = busy["+Inf"] - busy["0.25"]
        self.assertGreaterEqual(late, 4, f"requests behind others wait > 0.25 s: {busy}")
        m = self.metrics(h)
        self.assertEqual(sample(m, "hornet_listen_queue_limit", listener=h.url), 64)

    def wait_until_count(self, h, n):
        self.wait_metric(h, n, "hornet_http_request_queue_seconds_count", worker_type="sync")
        return self.metrics(h)


class StatsdListener:
    """A datagram socket collecting statsd lines."""

    def __init__(self, family, address):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.lines = []

    def collect_until(self, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not predicate(self.lines):
            try:
                self.lines += self.sock.recv(65536).decode().split("\n")
            except socket.timeout:
                pass
        return predicate(self.lines)

    def close(self):
        self.sock.close()


def counter_sum(lines, name):
    total = 0
    for l in lines:
        m = re.match(re.escape(name) + r":(\d+)\|c\|@1\.0(\||$)", l)
        if m:
            total += int(m.group(1))
    return total


class Statsd(MetricsTestCase):
    def check_statsd(self, listener, host_arg):
        self.addCleanup(listener.close)
        h = self.daemon(["-k", "gthread", "hello", "--statsd-host", host_arg, "--statsd-prefix", "shop",
                         "--dogstatsd-tags", "env:test,team:web"])
        self.requests(h, 7)
        self.requests(h, 2, path="/", method="POST")
        done = listener.collect_until(lambda ls: counter_sum(ls, "shop.gunicorn.requests") >= 9)
        self.assertTrue(done, listener.lines)
        lines = listener.lines
        self.assertEqual(counter_sum(lines, "shop.gunicorn.requests"), 9)
        self.assertEqual(counter_sum(lines, "shop.gunicorn.request.status.200"), 9)
        self.assertTrue(all(l.endswith("|#env:test,team:web") for l in lines if l), lines)
        self.assertTrue(any(re.match(r"shop\.gunicorn\.workers:2\|g\|#", l) for l in lines), lines)
        durations = [l for l in lines if l.startswith("shop.gunicorn.request.duration:")]
        self.assertTrue(durations, lines)
        samples = 0.0
        for l in durations:
            m = re.match(r"shop\.gunicorn\.request\.duration:[\d.e+-]+\|ms(\|@([\d.e+-]+))?\|#", l)
            self.assertTrue(m, l)
            samples += 1 / float(m.group(2)) if m.group(2) else 1
        self.assertAlmostEqual(samples, 9, places=3)

    def test_statsd_over_udp_with_gunicorn_names(self):
        listener = StatsdListener(socket.AF_INET, ("127.0.0.1", 0))
        self.check_statsd(listener, f"127.0.0.1:{listener.sock.getsockname()[1]}")

    def test_statsd_over_a_unix_datagram_socket(self):
        path = os.path.join(self.tmp, "statsd.sock")
        self.check_statsd(StatsdListener(socket.AF_UNIX, path), f"unix:{path}")

    def test_a_statsd_host_that_does_not_read_never_blocks_the_arbiter(self):
        # A unix datagram socket whose queue the test fills and never reads:
        # a blocking send would wait there for good.
        path = os.path.join(self.tmp, "full.sock")
        sink = StatsdListener(socket.AF_UNIX, path)
        self.addCleanup(sink.close)
        filler = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(filler.close)
        filler.setblocking(False)
        try:
            while True:
                filler.sendto(b"x" * 512, path)
        except BlockingIOError:
            pass
        h = self.metrics_daemon(["hello", "--statsd-host", f"unix:{path}"])
        self.requests(h, 20)
        # Past a few statsd intervals the arbiter still answers at once.
        deadline = time.monotonic() + 3 * 1.0 + 0.5
        scrapes = 0
        while time.monotonic() < deadline:
            self.assertEqual(self.scrape(h)[0], 200)
            scrapes += 1
        self.assertGreater(scrapes, 10)
        self.assertEqual(sample(self.metrics(h), "hornet_http_requests_total", worker_type="sync",
                                status_class="2xx", method="GET"), 20)
        # Once read, the socket gets the next reports.
        sink.sock.setblocking(False)
        try:
            while sink.sock.recv(65536) == b"x" * 512:
                pass
        except BlockingIOError:
            pass
        sink.sock.settimeout(0.2)
        self.requests(h, 3)
        self.assertTrue(sink.collect_until(lambda ls: counter_sum(ls, "gunicorn.requests") >= 3), sink.lines)


APP = '''
import hornet

jobs = hornet.Counter("jobs_done", "Jobs the app finished")

def app(environ, start_response):
    jobs.inc()
    if environ["PATH_INFO"] == "/many":
        jobs.inc(10)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\\n"]
'''


class AppCounters(MetricsTestCase):
    def test_a_wsgi_app_counter_appears_on_metrics_and_in_prometheus(self):
        prom = self.need_prometheus()
        with open(os.path.join(self.tmp, "counting.py"), "w") as f:
            f.write(APP)
        h = self.metrics_daemon(["-k", "gthread", "--threads", "2", "--chdir", self.tmp, "counting:app"])
        prom.scrape(h.metrics_port, "app")
        self.requests(h, 5)
        self.requests(h, 1, path="/many")
        self.assertEqual(self.wait_metric(h, 16, "hornet_app_jobs_done_total"), 16)
        _, _, text = self.scrape(h)
        self.assertIn("# HELP hornet_app_jobs_done_total Jobs the app finished\n", text)
        self.assertIn("# TYPE hornet_app_jobs_done_total counter\n", text)
        self.assertEqual(prom.wait_value('hornet_app_jobs_done_total{test="app"}', 16), 16)


class Endpoint(MetricsTestCase):
    def test_the_endpoint_refuses_what_it_does_not_serve(self):
        h = self.metrics_daemon(["hello"])
        status, headers, body = self.scrape(h)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers)
        for family in ("hornet_http_requests_total counter", "hornet_http_request_duration_seconds histogram",
                       "hornet_http_request_queue_seconds histogram", "hornet_worker_restarts_total counter",
                       "hornet_build_info gauge", "hornet_listen_queue_length gauge"):
            self.assertIn(f"# TYPE {family}\n", body)
        parse_metrics(body)  # every sample line is well formed
        self.assertEqual(self.scrape(h, method="HEAD")[0], 200)
        self.assertEqual(self.scrape(h, path="/other")[0], 404)
        status, headers, _ = self.scrape(h, method="POST")
        self.assertEqual((status, headers.get("Allow")), (405, "GET, HEAD"))
        with socket.create_connection(("127.0.0.1", h.metrics_port), timeout=10) as s:
            s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 400 "))
        # A client that sends nothing does not hold the endpoint up.
        idle = socket.create_connection(("127.0.0.1", h.metrics_port), timeout=10)
        self.addCleanup(idle.close)
        self.assertEqual(self.scrape(h)[0], 200)

    def test_a_bad_metrics_bind_is_one_line(self):
        rc, _, err = harness.run_once(["--metrics-bind", "127.0.0.1:99999", "hello"], self.tmp)
        self.assertEqual(rc, 2)
        self.assertOneErrorLine(err, "--metrics-bind", "99999")
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            rc, _, err = harness.run_once(["-b", "127.0.0.1:0", "--metrics-bind", f"127.0.0.1:{port}", "hello"],
                                          self.tmp)
        self.assertNotEqual(rc, 0)
        self.assertOneErrorLine(err, f"127.0.0.1:{port}")
        self.assertNotIn("Booting worker", err)


if __name__ == "__main__":
    harness.main()
