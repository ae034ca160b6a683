"""packaging/systemd/ against systemd's own tools, without systemd as PID 1:
`systemd-analyze verify` reads the three units (a warning fails the test as
an error does: verify exits 0 after "Failed to parse ..."), the units carry
the settings the deployment docs rely on, and hornet.service's ExecStart,
run by `systemd-socket-activate` on hornet.socket's kind of listener, serves
from the socket systemd passed (not from `bind`), with READY=1,
RELOADING=1/READY=1 after its ExecReload line and STOPPING=1 on TERM seen on
a notify socket the test owns.

Broken by hand (KillMode=mixd; hornet ignoring LISTEN_FDS; a reload taking
`bind` from the file again, as it did before), the verify check, the
served-port check and the after-reload checks fail.
"""

import configparser
import os
import re
import shlex
import signal
import socket
import subprocess

from harness import (HORNET_BIN, HornetTestCase, LISTEN_RE, http_get, main, stop_arbiter,
                     wait_until, _child_setup)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
UNITS = os.path.join(ROOT, "packaging", "systemd")
ETC_CONFIG = os.path.join(ROOT, "packaging", "deb", "hornet.yaml")


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(os.path.join(UNITS, name))
    return parser


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds(text):
    m = re.fullmatch(r"(\d+)(s|min)?", text)
    return int(m.group(1)) * (60 if m.group(2) == "min" else 1)


class UnitFileTest(HornetTestCase):
    def test_systemd_analyze_verify(self):
        # /usr/bin/hornet is the package's; here it is the build's.
        for name in ("hornet.service", "hornet@.service", "hornet.socket"):
            with open(os.path.join(UNITS, name)) as f:
                text = f.read().replace("/usr/bin/hornet", HORNET_BIN)
            with open(os.path.join(self.tmp, name), "w") as f:
                f.write(text)
        r = subprocess.run(["systemd-analyze", "verify", "--man=no",
                            "hornet.service", "hornet@.service", "hornet.socket"],
                           cwd=self.tmp, capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))

    def test_service_settings(self):
        for name in ("hornet.service", "hornet@.service"):
            s = unit(name)["Service"]
            self.assertEqual(s["Type"], "notify", name)
            self.assertEqual(s["ExecReload"], "/bin/kill -HUP $MAINPID", name)
            self.assertEqual(s["KillMode"], "mixed", name)
            for hardening in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
                self.assertEqual(s[hardening], "yes", (name, hardening))
            self.assertEqual(s["ProtectSystem"], "strict", name)
            self.assertNotEqual(s["User"], "root", name)
        self.assertIn("-c /etc/hornet/%i.yaml", unit("hornet@.service")["Service"]["ExecStart"])
        self.assertIn("ListenStream", unit("hornet.socket")["Socket"])

    def test_stop_timeout_covers_the_drain(self):
        import yaml
        with open(ETC_CONFIG) as f:
            config = yaml.safe_load(f)
        drain = seconds(config["shutdown_delay"]) + seconds(config["graceful_timeout"])
        for name in ("hornet.service", "hornet@.service"):
            self.assertGreater(seconds(unit(name)["Service"]["TimeoutStopSec"]), drain, name)


class SocketActivationTest(HornetTestCase):
    """ExecStart as the unit says, under systemd-socket-activate."""

    def exec_start(self):
        argv = shlex.split(unit("hornet.service")["Service"]["ExecStart"])
        self.assertEqual(argv[0], "/usr/bin/hornet")
        argv[0] = HORNET_BIN
        argv[argv.index("-c") + 1] = ETC_CONFIG
        argv[argv.index("--pid") + 1] = os.path.join(self.tmp, "hornet.pid")
        return argv + ["-w", "2", "--graceful-timeout", "5s"]

    def start(self, notify_path):
        """systemd-socket-activate on a free port; a lost race for the port
        is retried. It execs hornet on the first connection, as a .socket
        unit starts its service."""
        for _ in range(3):
            port = free_port()
            log = open(os.path.join(self.tmp, f"error-{port}.log"), "w+b")
            self.addCleanup(log.close)
            p = subprocess.Popen(["systemd-socket-activate", "-l", f"127.0.0.1:{port}",
                                  "-E", f"NOTIFY_SOCKET={notify_path}", *self.exec_start()],
                                 cwd=self.tmp, stdout=subprocess.DEVNULL, stderr=log,
                                 preexec_fn=_child_setup)
            self.addCleanup(p.wait, 10)
            self.addCleanup(stop_arbiter, p.pid, 0.0)

            def text():
                log.seek(0)
                return log.read().decode("utf-8", "replace")
            wait_until(lambda: f"Listening on 127.0.0.1:{port}" in text() or p.poll() is not None, 20)
            if p.poll() is None:
                return p, port, text
            if "Address already in use" not in text():
                self.fail(f"systemd-socket-activate exited {p.returncode}:\n{text()}")
        self.fail("no free port after 3 tries")

    def test_served_from_the_passed_socket_with_notify(self):
        notify_path = os.path.join(self.tmp, "notify")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(20)
        self.addCleanup(notify.close)
        p, port, text = self.start(notify_path)
        # The first connection starts hornet, and is served by it.
        self.assertEqual(http_get(port, "/"), (200, b"Hello, World!\n"))
        self.assertEqual(notify.recv(256), b"READY=1")
        # systemd's socket, not the config's 127.0.0.1:8000.
        log = text()
        self.assertIn("from systemd instead of bind", log)
        self.assertEqual(LISTEN_RE.search(log).group(1), f"http://127.0.0.1:{port}")
        self.assertNotIn("127.0.0.1:8000", log)
        self.assertEqual(http_get(port, "/healthz")[0], 200)
        # 200 once every worker is ready (READY=1 may come before the last).
        self.assertTrue(wait_until(lambda: http_get(port, "/readyz")[0] == 200, 20))
        reload = unit("hornet.service")["Service"]["ExecReload"].replace("$MAINPID", str(p.pid))
        subprocess.run(shlex.split(reload), check=True, timeout=10)
        self.assertEqual(notify.recv(256), b"RELOADING=1")
        self.assertEqual(notify.recv(256), b"READY=1")
        # The reload keeps systemd's socket: the config's bind stays unused.
        self.assertTrue(wait_until(lambda: "Retired generation 1" in text(), 20), text())
        self.assertNotIn("127.0.0.1:8000", text())
        self.assertNotIn("Closing listener", text())
        self.assertEqual(http_get(port, "/"), (200, b"Hello, World!\n"))
        os.kill(p.pid, signal.SIGTERM)
        self.assertEqual(notify.recv(256), b"STOPPING=1")
        self.assertEqual(p.wait(20), 0)


if __name__ == "__main__":
    main()
