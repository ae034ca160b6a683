"""The .deb packages (packaging/deb, CPack) on this very machine: built from
the build tree by cpack, checked by lintian (no error), installed with
`dpkg -i`, the installed files where Debian puts them, the `hornet` user
made, the installed units verified by systemd-analyze (their man page
included), the installed /usr/bin/hornet run as that user on
/etc/hornet/hornet.yaml and serving, its access log rotated by the
package's logrotate config (USR1), hornet-dev's hornet.pc found by
pkg-config, and then `dpkg --purge` leaving nothing behind.

The install changes the machine: the packages are purged and the `hornet`
user removed in a cleanup that runs whatever happens (also at exit, for a
SIGTERM); a leftover of a run killed harder is purged first, and a `hornet`
user without a hornet package is taken for one too.
"""

import atexit
import os
import pwd
import shutil
import subprocess

from harness import HORNET_BIN, Hornet, HornetTestCase, main, optional, wait_until

BUILD = os.path.dirname(os.path.dirname(os.path.abspath(HORNET_BIN))) if HORNET_BIN else ""
PACKAGES = ("hornet-dev", "hornet")  # purge order: dev depends on hornet


def sh(*argv, check=True, timeout=120):
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r


def installed(package):
    r = sh("dpkg-query", "-W", "-f=${Status}", package, check=False)
    return "install ok installed" in r.stdout


def has_user(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def lines(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def purge():
    for p in PACKAGES:
        if installed(p) or sh("dpkg-query", "-W", p, check=False).returncode == 0:
            sh("dpkg", "--purge", p, check=False)


class DebTest(HornetTestCase):
    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest(optional("dpkg -i needs root"))
        for tool in ("cpack", "lintian", "dpkg", "systemd-analyze", "pkg-config", "setpriv",
                     "logrotate"):
            if not shutil.which(tool):
                self.skipTest(f"{tool} is not installed (scripts/dev installs it)")
        purge()  # a leftover of a killed run
        # With no hornet package installed, a `hornet` user is a leftover of
        # a run killed before its cleanup (a real install has the package).
        self.remove_user()
        atexit.register(self.remove_user)  # SIGTERM (a ctest timeout) skips cleanups
        atexit.register(purge)
        self.addCleanup(self.remove_user)
        self.addCleanup(purge)

    def remove_user(self):
        if has_user("hornet") and not installed("hornet"):
            sh("userdel", "hornet", check=False)
            sh("groupdel", "hornet", check=False)

    def build_debs(self):
        out = os.path.join(self.tmp, "debs")
        sh("cpack", "-G", "DEB", "-B", out, "--config", os.path.join(BUILD, "CPackConfig.cmake"),
           timeout=300)
        debs = sorted(os.path.join(out, n) for n in os.listdir(out) if n.endswith(".deb"))
        names = [os.path.basename(d) for d in debs]
        self.assertEqual(len(debs), 2, names)
        self.assertTrue(names[0].startswith("hornet-dev_") and names[1].startswith("hornet_"), names)
        self.assertTrue(names[1].endswith("_amd64.deb"), names)
        return debs

    def test_build_lint_install_serve_purge(self):
        debs = self.build_debs()
        lint = sh("lintian", *debs, check=False, timeout=300)
        errors = [l for l in lint.stdout.splitlines() if l.startswith("E:")]
        self.assertEqual(errors, [], lint.stdout)

        depends = sh("dpkg-deb", "-f", debs[1], "Depends").stdout
        for lib in ("libc6", "libstdc++6", "libyaml-cpp0.7", "libspdlog1.10", "adduser"):
            self.assertIn(lib, depends)

        sh("dpkg", "-i", *debs)
        for path in ("/usr/bin/hornet", "/usr/lib/hornet/plugins/sync.so",
                     "/usr/lib/hornet/plugins/gthread.so", "/etc/hornet/hornet.yaml",
                     "/etc/logrotate.d/hornet", "/usr/share/man/man1/hornet.1.gz",
                     "/lib/systemd/system/hornet.service", "/lib/systemd/system/hornet@.service",
                     "/lib/systemd/system/hornet.socket", "/usr/include/hornet/abi.h",
                     "/usr/lib/libhornet-sdk.a", "/usr/lib/cmake/hornet/hornetConfig.cmake"):
            self.assertTrue(os.path.exists(path), path)
        conffiles = sh("dpkg-query", "-W", "-f=${Conffiles}", "hornet").stdout
        self.assertIn("/etc/hornet/hornet.yaml", conffiles)
        user = pwd.getpwnam("hornet")
        self.assertNotEqual(user.pw_uid, 0)
        self.assertIn(user.pw_shell, ("/usr/sbin/nologin", "/bin/false"))

        # The installed units, man page included (verify runs `man hornet`).
        verify = sh("systemd-analyze", "verify", "/lib/systemd/system/hornet.service",
                    "/lib/systemd/system/hornet.socket", "/lib/systemd/system/hornet@.service",
                    check=False)
        self.assertEqual((verify.returncode, verify.stdout + verify.stderr), (0, ""))
        cflags = sh("pkg-config", "--cflags", "hornet").stdout
        self.assertIn("-I/usr/include", cflags + " -I/usr/include")

        self.serve_installed()

        purge()
        for p in PACKAGES:
            self.assertFalse(installed(p), p)
        for path in ("/usr/bin/hornet", "/usr/lib/hornet", "/etc/hornet", "/usr/include/hornet",
                     "/lib/systemd/system/hornet.service", "/var/log/hornet", "/var/lib/hornet"):
            self.assertFalse(os.path.exists(path), path)

    def serve_installed(self):
        """/usr/bin/hornet as the hornet user, its plugins found next to it,
        its access log in /var/log/hornet rotated by the package's logrotate
        config (USR1 to the pid in /run/hornet/hornet.pid, as under systemd)."""
        os.chmod(self.tmp, 0o755)
        if os.path.exists("/run/hornet"):
            was = os.stat("/run/hornet")
            self.addCleanup(os.chown, "/run/hornet", was.st_uid, was.st_gid)
        else:
            os.mkdir("/run/hornet")
            self.addCleanup(shutil.rmtree, "/run/hornet", True)
        user = pwd.getpwnam("hornet")
        os.chown("/run/hornet", user.pw_uid, user.pw_gid)
        access = "/var/log/hornet/access.log"
        h = Hornet(["-c", "/etc/hornet/hornet.yaml", "-b", "127.0.0.1:0", "-w", "1",
                    "--control-socket", "off", "--pid", "/run/hornet/hornet.pid",
                    "--access-logfile", access], self.tmp, binary="/usr/bin/hornet",
                   prefix=["setpriv", "--reuid=hornet", "--regid=hornet", "--init-groups"])
        self.addCleanup(h.stop)
        h.start()
        h.wait_ready(1)
        self.assertIn("/usr/lib/hornet/plugins/sync.so", h.log())
        status, _, body = self.get(h, "/")
        self.assertEqual((status, body), (200, b"Hello, World!\n"))
        self.assertEqual(self.get(h, "/healthz")[0], 200)
        self.assertEqual(os.stat(f"/proc/{h.pid}").st_uid, user.pw_uid)

        self.assertTrue(wait_until(lambda: lines(access), 10))
        state = os.path.join(self.tmp, "logrotate.state")
        sh("logrotate", "-f", "-s", state, "/etc/logrotate.d/hornet")
        self.assertTrue(lines(access + ".1"), "rotated")
        self.assertTrue(wait_until(lambda: os.path.exists(access), 10), "USR1: not reopened")
        self.get(h, "/?after-rotation")
        self.assertTrue(wait_until(lambda: any("after-rotation" in l for l in lines(access)), 10))
        self.assertFalse(any("after-rotation" in l for l in lines(access + ".1")))
        h.stop()


if __name__ == "__main__":
    main()
