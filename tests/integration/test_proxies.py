"""test_proxies.py: what hornet believes from proxies, and what it logs.

- forwarded_allow_ips + secure_scheme_headers: the scheme the app sees
  (Gunicorn's rules: only from trusted peers; contradicting headers: 400).
- proxy_protocol + proxy_allow_ips: PROXY v1 and v2 on a listener give the
  client's addresses (to the app and the access log); a trusted peer must
  send one, anyone else must not.
- access_log_format: every Gunicorn atom, the same line from every worker type.
Each worker type runs (sync, gthread, async): one that fails to load fails.
"""

import base64
import os
import re

import harness
import http_wire as wire
from harness import HornetTestCase


class ProxyCase(HornetTestCase):

    def each_type(self, check, extra=(), config=None):
        args = list(extra)
        if config is not None:
            path = os.path.join(self.tmp, "hornet.yaml")
            with open(path, "w") as f:
                f.write(config)
            args = ["-c", path] + args
        for kind in wire.worker_types():
            with self.subTest(worker=kind):
                h = self.daemon(wire.worker_args(kind) + ["--header-timeout", "5s", *args, wire.PROBE_APP],
                                workers=1)
                check(kind, h)
                h.stop()

    def scheme(self, h, *headers, prefix=b""):
        data = prefix + b"GET /scheme HTTP/1.1\r\nHost: a\r\n" + b"".join(x + b"\r\n" for x in headers) + b"\r\n"
        r, _ = wire.exchange(h.port, data)
        return r.status, r.body.decode().strip()


class ForwardedTest(ProxyCase):

    def test_trusted_peer_sets_the_scheme(self):
        def check(kind, h):
            self.assertEqual(self.scheme(h)[1].split()[0], "http")
            for header in (b"X-Forwarded-Proto: https", b"X-FORWARDED-SSL: on", b"x-forwarded-protocol: ssl"):
                self.assertEqual(self.scheme(h, header)[1].split()[0], "https", header)
            self.assertEqual(self.scheme(h, b"X-Forwarded-Proto: http")[1].split()[0], "http")
            self.assertEqual(self.scheme(h, b"X-Forwarded-Proto: HTTPS")[1].split()[0], "http")  # exact, as Gunicorn
            self.assertEqual(self.scheme(h, b"X-Forwarded-Proto: https", b"X-Forwarded-Ssl: on")[1].split()[0], "https")
            status, _ = self.scheme(h, b"X-Forwarded-Proto: https", b"X-Forwarded-Ssl: off")
            self.assertEqual(status, 400)  # contradictory scheme headers
        self.each_type(check)  # the default forwarded_allow_ips: 127.0.0.1,::1

    def test_untrusted_peer_is_ignored(self):
        def check(kind, h):
            self.assertEqual(self.scheme(h, b"X-Forwarded-Proto: https")[1].split()[0], "http")
            self.assertEqual(self.scheme(h, b"X-Forwarded-Proto: https", b"X-Forwarded-Ssl: off")[0], 200)
        self.each_type(check, extra=["--forwarded-allow-ips", "10.0.0.0/8,192.0.2.1"])

    def test_configured_headers_and_networks(self):
        config = ("forwarded_allow_ips: [127.0.0.0/8]\n"
                  "secure_scheme_headers: {X-Scheme: https, Front-End-Https: 'on'}\n")

        def check(kind, h):
            self.assertEqual(self.scheme(h, b"X-Scheme: https")[1].split()[0], "https")
            self.assertEqual(self.scheme(h, b"Front-End-Https: on")[1].split()[0], "https")
            self.assertEqual(self.scheme(h, b"X-Forwarded-Proto: https")[1].split()[0], "http")  # not configured now
        self.each_type(check, config=config)


class ProxyProtocolTest(ProxyCase):

    def test_v1_and_v2_give_the_client_addresses(self):
        def check(kind, h):
            v1 = b"PROXY TCP4 203.0.113.7 198.51.100.1 51234 8080\r\n"
            self.assertEqual(self.scheme(h, prefix=v1), (200, "http 203.0.113.7:51234 198.51.100.1:8080"))
            v1_6 = b"PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n"
            self.assertEqual(self.scheme(h, prefix=v1_6), (200, "http 2001:db8::7:4000 2001:db8::1:443"))
            v2 = wire.proxy_v2("192.0.2.10", "192.0.2.20", 1234, 80)
            self.assertEqual(self.scheme(h, prefix=v2), (200, "http 192.0.2.10:1234 192.0.2.20:80"))
            v2_6 = wire.proxy_v2("2001:db8::a", "2001:db8::b", 5, 6)
            self.assertEqual(self.scheme(h, prefix=v2_6), (200, "http 2001:db8::a:5 2001:db8::b:6"))
            # LOCAL (the balancer's own health check) and UNKNOWN keep the socket's addresses.
            local = wire.proxy_v2("192.0.2.10", "192.0.2.20", 1, 2, command=0)
            self.assertRegex(self.scheme(h, prefix=local)[1], r"^http 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+$")
            self.assertRegex(self.scheme(h, prefix=b"PROXY UNKNOWN\r\n")[1], r"^http 127\.0\.0\.1:\d+ ")
            # The scheme headers are judged by the socket's peer (the balancer), as Gunicorn.
            self.assertEqual(self.scheme(h, b"X-Forwarded-Proto: https", prefix=v1)[1].split()[0], "https")
        self.each_type(check, extra=["--proxy-protocol"])

    def test_keep_alive_after_the_header(self):
        def check(kind, h):
            if kind == "sync":
                return
            s = wire.connect(h.port)
            s.sendall(b"PROXY TCP4 203.0.113.7 198.51.100.1 51234 8080\r\n" +
                      b"GET /scheme HTTP/1.1\r\nHost: a\r\n\r\n" * 2)
            reader = wire.Reader(s)
            for _ in range(2):
                r = wire.read_response(reader)
                self.assertEqual(r.body, b"http 203.0.113.7:51234 198.51.100.1:8080\n")
        self.each_type(check, extra=["--proxy-protocol"])

    def test_bad_or_missing_header_from_a_proxy_is_400(self):
        def check(kind, h):
            for bad in (b"", b"PROXY TCP4 203.0.113.7 198.51.100.1 51234\r\n",
                        b"PROXY TCP4 203.0.113.7  198.51.100.1 51234 8080\r\n",
                        b"PROXY TCP4 203.0.113.999 198.51.100.1 51234 8080\r\n",
                        b"PROXY TCP4 203.0.113.7 198.51.100.1 51234 99999\r\n",
                        b"PROXY TCP9 a b 1 2\r\n", b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
                        wire.V2_SIGNATURE + b"\x31\x11\x00\x0c" + b"\x00" * 12,  # version 3
                        wire.V2_SIGNATURE + b"\x21\x11\x00\x04" + b"\x00" * 4):  # too short for TCP4
                r, reader = wire.exchange(h.port, bad + b"GET /scheme HTTP/1.1\r\nHost: a\r\n\r\n")
                self.assertEqual(r.status, 400, bad)
                self.assertTrue(wire.closed(reader), bad)
        self.each_type(check, extra=["--proxy-protocol"])

    def test_untrusted_peer_may_not_send_one(self):
        def check(kind, h):
            r, reader = wire.exchange(h.port, b"PROXY TCP4 203.0.113.7 198.51.100.1 51234 8080\r\n"
                                              b"GET /scheme HTTP/1.1\r\nHost: a\r\n\r\n")
            self.assertEqual(r.status, 403)
            self.assertTrue(wire.closed(reader))
            r, _ = wire.exchange(h.port, wire.proxy_v2("192.0.2.10", "192.0.2.20", 1, 2) + b"GET / HTTP/1.1\r\n\r\n")
            self.assertEqual(r.status, 403)
            self.assertRegex(self.scheme(h)[1], r"^http 127\.0\.0\.1:")  # plain HTTP is served
            self.assertEqual(self.scheme(h, prefix=b"")[0], 200)
        self.each_type(check, extra=["--proxy-protocol", "--proxy-allow-ips", "192.0.2.1"])


class AccessLogTest(ProxyCase):

    EVERY_ATOM = ('%(h)s|%(l)s|%(u)s|%(t)s|%(r)s|%(m)s|%(U)s|%(q)s|%(H)s|%(s)s|%(B)s|%(b)s|'
                  '%(f)s|%(a)s|%(p)s|%(T)s|%(M)s|%(D)s|%(L)s|%({x-req}i)s|%({content-type}o)s|'
                  '%({x-absent}i)s|100%%')

    def test_every_atom_on_every_worker_type(self):
        lines = {}

        def check(kind, h):
            auth = base64.b64encode(b"alice:secret").decode()
            request = ("GET /fixed?a=1&b=%22 HTTP/1.1\r\nHost: a\r\nReferer: http://r/\r\n"
                       f"User-Agent: ua \"quoted\"\r\nAuthorization: Basic {auth}\r\nX-Req: v1\r\n\r\n")
            wire.exchange(h.port, b"PROXY TCP4 203.0.113.7 198.51.100.1 51234 8080\r\n" + request.encode())
            h.stop()
            got = wire.wait_for_file_lines(log, 1)
            self.assertEqual(len(got), 1, got)
            lines[kind] = got[0]

        log = os.path.join(self.tmp, "access.log")
        for kind in wire.worker_types():
            if os.path.exists(log):
                os.unlink(log)
            with self.subTest(worker=kind):
                h = self.daemon(wire.worker_args(kind) + ["--proxy-protocol", "--access-logfile", log,
                                                          "--access-log-format", self.EVERY_ATOM, wire.PROBE_APP],
                                workers=1)
                check(kind, h)
        pattern = (r'^203\.0\.113\.7\|-\|alice\|\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]\|'
                   r'GET /fixed\?a=1&b=%22 HTTP/1\.1\|GET\|/fixed\|a=1&b=%22\|HTTP/1\.1\|200\|5\|5\|'
                   r'http://r/\|ua \\"quoted\\"\|<(\d+)>\|0\|\d+\|\d+\|0\.\d{6}\|v1\|-\|-\|100%$')
        for kind, line in lines.items():
            self.assertRegex(line, pattern, kind)
        # Every worker type writes the same line (but for time, pid and durations).
        volatile = re.compile(r"\[[^]]*\]|<\d+>|\|\d+\|\d+\|\d+\|\d+\.\d{6}\|")
        self.assertEqual(len({volatile.sub("~", l) for l in lines.values()}), 1, lines)

    def test_default_format_and_refused_heads(self):
        log = os.path.join(self.tmp, "access.log")
        h = self.daemon(["--access-logfile", log, wire.PROBE_APP], workers=1)
        wire.exchange(h.port, b"GET /fixed HTTP/1.1\r\nHost: a\r\nUser-Agent: curl\r\n\r\n")
        wire.exchange(h.port, b"GET /x\x01y HTTP/1.1\r\nHost: a\r\n\r\n")
        lines = wire.wait_for_file_lines(log, 2)
        self.assertRegex(lines[0], r'^127\.0\.0\.1 - - \[[^]]+\] "GET /fixed HTTP/1\.1" 200 5 "-" "curl"$')
        # A refused head is logged too, its bytes escaped: the line stays one line.
        self.assertRegex(lines[1], r'^127\.0\.0\.1 - - \[[^]]+\] "GET /x\\x01y HTTP/1\.1" 400 \d+ "-" "-"$')

    def test_bad_format_is_one_config_error(self):
        rc, _, err = harness.run_once(["--check-config", "--access-log-format", "%(h)s %(nope)s", "hello"], self.tmp)
        self.assertEqual(rc, 2)
        self.assertOneErrorLine(err, "access-log-format", "unknown atom %(nope)s")


if __name__ == "__main__":
    harness.main()
