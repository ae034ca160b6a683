"""test_config.py: the command line and the YAML file: errors are one line
(`hornet: error: ...`, exit 2, file:line:column for the file),
--check-config neither binds nor forks, --print-config round-trips."""

import os
import re
import socket

import harness
from harness import HornetTestCase, run_once


class ConfigTest(HornetTestCase):

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def assertUsageError(self, rc, out, err, *needles):
        """exit 2 and exactly one non-empty stderr line `hornet: error: ...`."""
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertEqual(rc, 2, f"exit {rc}\n{err}")
        self.assertEqual(len(lines), 1, f"want one line on stderr, got:\n{err}")
        self.assertTrue(lines[0].startswith("hornet: error: "), lines[0])
        for n in needles:
            if isinstance(n, re.Pattern):
                self.assertRegex(lines[0], n)
            else:
                self.assertIn(n, lines[0])
        self.assertNotIn("Booting worker", err + out)
        return lines[0]

    # -- the command line

    def test_version(self):
        rc, out, err = run_once(["--version"], self.tmp)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out + err, r"hornet.*\b\d+\.\d+\.\d+")

    def test_unknown_option(self):
        rc, out, err = run_once(["--no-such-option", "hello"], self.tmp)
        self.assertUsageError(rc, out, err, "--no-such-option")

    def test_bad_workers_value(self):
        rc, out, err = run_once(["-w", "many", "hello"], self.tmp)
        self.assertUsageError(rc, out, err, "many")

    def test_bad_bind_address(self):
        rc, out, err = run_once(["-b", "127.0.0.1:notaport", "hello"], self.tmp)
        self.assertUsageError(rc, out, err, "notaport")

    def test_one_address_bound_twice(self):
        # With and without its scheme: every worker would get the same socket twice.
        rc, out, err = run_once(["-b", "127.0.0.1:0", "-b", "http://127.0.0.1:0", "hello"], self.tmp)
        self.assertUsageError(rc, out, err, "'127.0.0.1:0' and 'http://127.0.0.1:0' are the same address")
        path = self.write("twice.yaml", "bind: [\":18795\", \"0.0.0.0:18795\"]\napp: hello\n")
        rc, out, err = run_once(["-c", path, "--check-config"], self.tmp)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("'0.0.0.0:18795' is given twice", err)
        rc, out, err = run_once(["-b", "127.0.0.1:0", "-b", "127.0.0.2:0", "--check-config", "hello"], self.tmp)
        self.assertEqual(rc, 0, out + err)

    def test_bad_duration(self):
        rc, out, err = run_once(["--graceful-timeout", "soon", "hello"], self.tmp)
        self.assertUsageError(rc, out, err, "soon")

    def test_bad_log_level(self):
        rc, out, err = run_once(["--log-level", "loud", "hello"], self.tmp)
        self.assertUsageError(rc, out, err, "loud")

    def test_bad_environment_value(self):
        rc, out, err = run_once(["hello"], self.tmp, env={"HORNET_WORKERS": "lots"})
        self.assertUsageError(rc, out, err, "HORNET_WORKERS")

    # -- the YAML file

    def test_yaml_syntax_error_names_file_line_column(self):
        path = self.write("broken.yaml", "workers: 2\nbind:\n  - [127.0.0.1:0\napp: hello\n")
        rc, out, err = run_once(["-c", path], self.tmp)
        self.assertUsageError(rc, out, err, re.compile(re.escape(path) + r":\d+:\d+"))

    def test_yaml_bad_value_names_file_line_column(self):
        path = self.write("badvalue.yaml",
                          "# a comment\nbind: [\"127.0.0.1:0\"]\nworkers: lots\napp: hello\n")
        rc, out, err = run_once(["-c", path], self.tmp)
        line = self.assertUsageError(rc, out, err, re.compile(re.escape(path) + r":3:\d+"))
        self.assertIn("workers", line)

    def test_yaml_unknown_key_names_file_line_column(self):
        path = self.write("unknown.yaml", "bind: [\"127.0.0.1:0\"]\nwokers: 3\napp: hello\n")
        rc, out, err = run_once(["-c", path], self.tmp)
        line = self.assertUsageError(rc, out, err, re.compile(re.escape(path) + r":2:\d+"))
        self.assertIn("wokers", line)

    def test_missing_config_file(self):
        path = os.path.join(self.tmp, "nope.yaml")
        rc, out, err = run_once(["-c", path, "hello"], self.tmp)
        self.assertUsageError(rc, out, err, path)

    def test_yaml_config_is_used(self):
        path = self.write("good.yaml", "bind: [\"127.0.0.1:0\"]\nworkers: 3\n"
                                       "graceful_timeout: 5s\napp: hello\n")
        h = self.daemon(["-c", path], workers=None, graceful=None)
        h.wait_ready(3)
        self.assertEqual(self.get(h)[2], b"Hello, World!\n")

    def test_cli_overrides_yaml(self):
        path = self.write("w3.yaml", "bind: [\"127.0.0.1:0\"]\nworkers: 3\napp: hello\n")
        h = self.daemon(["-c", path, "-w", "1"], workers=1)
        self.assertEqual(len(harness.wait_until(lambda: h.workers(), 5)), 1)
        self.assertEqual(len(h.boot_pids()), 1, h.log())

    # -- --check-config and --print-config

    def test_check_config_neither_binds_nor_forks(self):
        # The TCP port is held by this test and the unix path must not
        # appear: a check that bound either would fail or leave a trace.
        sock_path = os.path.join(self.tmp, "check.sock")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            rc, out, err = run_once(["--check-config", "-b", f"127.0.0.1:{port}",
                                     "-b", f"unix:{sock_path}", "-w", "2", "hello"],
                                    self.tmp)
        self.assertEqual(rc, 0, err + out)
        self.assertNotIn("Listening at", err + out)
        self.assertNotIn("Booting worker", err + out)
        self.assertFalse(os.path.exists(sock_path), "--check-config bound the unix socket")

    def test_check_config_reports_bad_file(self):
        path = self.write("bad.yaml", "workers: -3\n")
        rc, out, err = run_once(["--check-config", "-c", path, "hello"], self.tmp)
        self.assertUsageError(rc, out, err, re.compile(re.escape(path) + r":1:\d+"))

    def test_check_config_loads_the_plugins(self):
        rc, out, err = run_once(["--check-config", os.path.join(self.tmp, "none.so")],
                                self.tmp)
        self.assertNotEqual(rc, 0, err)
        self.assertIn(os.path.join(self.tmp, "none.so"), err + out)

    def test_print_config_round_trips(self):
        rc, out, err = run_once(["--print-config", "-b", "127.0.0.1:0", "-w", "3",
                                 "--graceful-timeout", "5s", "--timeout", "20",
                                 "hello"], self.tmp)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("Booting worker", err + out)
        self.assertTrue(out.strip(), "--print-config printed nothing on stdout")
        path = self.write("printed.yaml", out + "\n")
        # Accepted by --check-config ...
        rc2, out2, err2 = run_once(["-c", path, "--check-config"], self.tmp)
        self.assertEqual(rc2, 0, f"{err2}\n--- printed config:\n{out}")
        # ... prints the same again ...
        rc3, out3, err3 = run_once(["-c", path, "--print-config"], self.tmp)
        self.assertEqual(rc3, 0, err3)
        self.assertEqual(strip_config_file(out3), strip_config_file(out))
        # ... and runs: 3 workers serving hello.
        h = self.daemon(["-c", path], workers=None, graceful=None)
        h.wait_ready(3)
        self.assertEqual(self.get(h)[2], b"Hello, World!\n")


def strip_config_file(text):
    """--print-config may say which file it read; compare the rest."""
    return "\n".join(l for l in text.splitlines()
                     if not re.match(r"\s*config(_file)?\s*:", l))


if __name__ == "__main__":
    harness.main()
