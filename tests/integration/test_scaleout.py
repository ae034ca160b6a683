"""Scale-out, for real, on one machine (scaleout.py builds it): three hosts
as network namespaces, one hornet each, HAProxy and then nginx in front,
wrk (keep-alive) and a POSTing client as the load, and a rolling upgrade
through the three (USR2; config change + HUP; TERM with shutdown_delay and
a restart). Asserted: zero failed requests counted on the clients' side
(wrk's non-2xx and socket errors, every POST's answer checked), the access
logs show the clients' own addresses (PROXY v2 from HAProxy; X-Forwarded-For
from nginx) and never the balancer's as the client, and HAProxy's stats show
each host drained (DRAIN, or DOWN by its health check) and back UP.

The load is bounded (4 wrk connections, at most 60 s; stopped once the roll
is done, ~12 s). bench/scaleout.sh runs the same with a longer, heavier load.
Broken by hand (the third host's listener not held across its restart),
nginx answers a 502 that wrk counts, and the nginx test fails.
"""

import os
import re
import shutil

from harness import HornetTestCase, main, optional
from scaleout import Roll

LOG_RE = re.compile(r'^(\S+) (\S+) "(\S+) (\S+) [^"]*" (\d+)$')
CLIENTS = {"127.0.0.1", "127.0.0.2"}  # wrk's, the POSTing client's


class ScaleOutTest(HornetTestCase):
    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest(optional("needs root for network namespaces"))
        missing = [t for t in ("ip", "wrk", "haproxy", "nginx") if not shutil.which(t)
                   and not os.path.exists(f"/usr/sbin/{t}")]
        if missing:
            self.skipTest(f"not installed: {' '.join(missing)} (scripts/dev installs them)")

    def roll(self, balancer):
        r = Roll(balancer, self.tmp, connections=4, seconds=60, log=lambda *a: None)
        self.addCleanup(r.cleanup)
        r.setup()
        r.roll()
        report = r.finish()
        wrk = report["wrk"]
        summary = f"{report['steps']}\n{report['wrk_output']}"
        self.assertGreater(wrk["requests"], 0, summary)
        self.assertEqual((wrk["non2xx"], wrk["socket_errors"]), (0, 0), summary)
        self.assertGreater(report["posts_ok"], 0)
        self.assertEqual(report["post_failures"], [])
        return report

    def client_addresses(self, report, field, client=True):
        """Per host: the set of field 1 (h) or 2 (X-Forwarded-For) of its
        lines; when it names the client, every POST's is 127.0.0.2."""
        seen = {}
        for host, lines in report["served"].items():
            self.assertTrue(lines, f"{host} served nothing")
            for line in lines:
                m = LOG_RE.match(line)
                self.assertTrue(m, f"{host}: {line!r}")
                seen.setdefault(host, set()).add(m.group(field))
                if client and m.group(3) == "POST":
                    self.assertEqual(m.group(field), "127.0.0.2", line)
        return seen

    def test_haproxy_proxy_v2(self):
        report = self.roll("haproxy")
        for host, addresses in self.client_addresses(report, 1).items():
            self.assertTrue(addresses <= CLIENTS, (host, addresses))
        all_seen = set().union(*self.client_addresses(report, 1).values())
        self.assertEqual(all_seen, CLIENTS)
        states = {s: [x for x in seen if " " not in x] for s, seen in report["states"].items()}
        for host, out in (("h1", "DRAIN"), ("h2", "DRAIN"), ("h3", "DOWN")):
            self.assertIn(out, states[host], (host, report["states"]))
            self.assertEqual(states[host][-1], "UP", (host, report["states"]))

    def test_nginx_forwarded_for(self):
        report = self.roll("nginx")
        for host, addresses in self.client_addresses(report, 2).items():
            self.assertTrue(addresses <= CLIENTS, (host, addresses))
        # The TCP peer is nginx, from the root namespace's address.
        for host, peers in self.client_addresses(report, 1, client=False).items():
            self.assertEqual(peers, {report["source"]}, host)


if __name__ == "__main__":
    main()
