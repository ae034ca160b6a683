"""test_testssl.py: testssl.sh (Debian's testssl) against hornet's default TLS
settings finds nothing rated HIGH or CRITICAL.

Its own module (ctest entry) because the scan takes a couple of minutes:
it tries every protocol, cipher and known attack. The server is async with
an ECDSA P-256 certificate from test_tls's throwaway CA; the findings come
from testssl's JSON output, so the check reads severities, not prose.
"""

import json
import os
import shutil
import subprocess
import unittest

import harness
from harness import HornetTestCase
from test_tls import make_cert, pki, tls_args

# testssl rates the certificate too; this one is what a real one looks like
# to it (90 days, a CRL URI), so that what is left to rate is hornet's. The
# test CA is added to its trust store (--add-ca).
make_cert("audited", "localhost", san="DNS:localhost,IP:127.0.0.1", days=90,
          extra="crlDistributionPoints=URI:http://127.0.0.1/test-ca.crl\n")

TESTSSL = shutil.which("testssl") or shutil.which("testssl.sh")


@unittest.skipUnless(TESTSSL, "testssl.sh is not installed: scripts/dev installs it")
class DefaultSettings(HornetTestCase):

    def test_no_high_or_critical_finding(self):
        h = self.daemon(["-k", "async", *tls_args("audited"), "hello"], workers=1)
        report = os.path.join(self.tmp, "testssl.json")
        p = subprocess.run([TESTSSL, "--quiet", "--color", "0", "--warnings", "off", "--jsonfile", report,
                            "--add-ca", pki("ca.pem"),
                            f"127.0.0.1:{h.port}"], capture_output=True, timeout=540)
        self.assertTrue(os.path.exists(report), p.stdout.decode("latin-1")[-2000:])
        with open(report) as f:
            findings = json.load(f)
        self.assertGreater(len(findings), 50, "testssl reported almost nothing: did it connect?")
        bad = [f"{x['id']}: {x['finding']}" for x in findings if x.get("severity") in ("HIGH", "CRITICAL")]
        self.assertEqual(bad, [], "\n".join(bad))


if __name__ == "__main__":
    unittest.main(verbosity=2)
