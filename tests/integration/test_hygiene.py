"""Process hygiene of the arbiter: pid file, daemon mode, user/group with a
privileged port, umask on unix sockets, chdir, systemd socket activation and
sd_notify, process titles, USR1 log reopening and preload_app."""

import os
import pwd
import grp
import signal
import socket
import subprocess

from harness import (HORNET_BIN, HornetTestCase, Seen, UnixHTTPConnection,
                     children_of, http, main, optional, stop_arbiter, wait_until)
from http_wire import PROBE_APP


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().split(b"\0")[0].decode()


def uid_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


def free_privileged_port():
    for port in range(810, 1000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    return None


class HygieneTest(HornetTestCase):
    def test_process_titles(self):
        h = self.daemon(["hello"])
        self.assertEqual(cmdline(h.pid), "hornet: arbiter [hello]")
        # A worker carries the arbiter's title from fork until it sets its own.
        titled = lambda: all(cmdline(w) == "hornet: worker [hello]" for w in h.workers())
        self.assertTrue(wait_until(titled, 5), [cmdline(w) for w in h.workers()])

    def test_proc_name_names_the_titles(self):
        h = self.daemon(["-n", "shop", "hello"])
        self.assertEqual(cmdline(h.pid), "hornet: arbiter [shop]")

    def test_daemon_writes_its_pid_and_serves(self):
        pidfile = os.path.join(self.tmp, "d.pid")
        log = os.path.join(self.tmp, "error.log")
        p = subprocess.run([HORNET_BIN, "-D", "--pid", pidfile, "--error-logfile", log, "-b", "127.0.0.1:0",
                            "-w", "1", "hello"], cwd=self.tmp, timeout=20, capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        pid = int(wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), 10))
        daemon = Seen(pid)
        self.addCleanup(stop_arbiter, pid)
        port_line = wait_until(lambda: [l for l in open(log) if "Listening at:" in l], 10)
        port = int(port_line[0].split("127.0.0.1:")[1].split()[0])
        self.assertTrue(wait_until(lambda: "Booting worker" in open(log).read(), 10), "the daemon booted no worker")
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/")
        self.assertEqual(c.getresponse().status, 200)
        c.close()
        # Detached: another session than ours, and not our child.
        self.assertNotEqual(os.getsid(pid), os.getsid(0))
        self.assertNotIn(pid, children_of(os.getpid()))
        daemon.kill(signal.SIGTERM)
        self.assertTrue(wait_until(lambda: not daemon.alive(), 15))
        self.assertFalse(os.path.exists(pidfile))

    def test_user_and_group_with_a_privileged_port(self):
        if os.geteuid() != 0:
            self.skipTest(optional("needs root"))
        port = free_privileged_port()
        if port is None:
            self.skipTest(optional("no free port below 1024"))
        nobody = pwd.getpwnam("nobody")
        group = grp.getgrgid(nobody.pw_gid).gr_name
        h = self.daemon(["-b", f"127.0.0.1:{port}", "--user", "nobody", "--group", group, "hello"])
        self.assertEqual(h.port, port)
        self.assertEqual(uid_of(h.pid), 0)
        self.assertTrue(wait_until(lambda: all(uid_of(w) == nobody.pw_uid for w in h.workers()), 5))
        self.assertEqual(self.get(h)[0], 200)

    def test_unknown_user_is_one_clear_error(self):
        h = self.daemon(["--user", "no-such-user-hornet", "hello"], ready=False)
        self.assertEqual(h.wait_exit(), 1)
        self.assertOneErrorLine(h.log(), "user 'no-such-user-hornet': no such user")

    def test_umask_applies_to_unix_sockets(self):
        path = os.path.join(self.tmp, "s.sock")
        h = self.daemon(["-b", f"unix:{path}", "--umask", "077", "hello"])
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o700)
        c = UnixHTTPConnection(path)
        c.request("GET", "/")
        self.assertEqual(c.getresponse().status, 200)
        c.close()
        h.stop()

    def test_chdir_makes_relative_paths_relative_to_it(self):
        sub = os.path.join(self.tmp, "site")
        os.mkdir(sub)
        h = self.daemon(["--chdir", sub, "--access-logfile", "access.log", "hello"])
        self.assertEqual(self.get(h)[0], 200)
        self.assertTrue(wait_until(lambda: os.path.exists(os.path.join(sub, "access.log")), 5))

    def test_usr1_reopens_the_log_files(self):
        access = os.path.join(self.tmp, "access.log")
        h = self.daemon(["--access-logfile", access, "hello"])
        self.get(h)
        os.rename(access, access + ".1")
        os.kill(h.pid, signal.SIGUSR1)
        self.assertTrue(h.wait_log("Reopened log files"))
        self.assertTrue(wait_until(lambda: os.path.exists(access), 5))

        def reopened_in_every_worker():
            self.get(h)
            return os.path.getsize(access) > 0 and "GET / HTTP/1.1" in open(access).read()
        self.assertTrue(wait_until(reopened_in_every_worker, 5))
        for _ in range(6):  # whichever worker answers, it writes to the new file
            self.get(h)
        # The line is written after the response has gone: wait for it.
        self.assertTrue(wait_until(lambda: open(access).read().count("GET / ") >= 6, 5), open(access).read())

    def pids(self, h):
        """(pid that ran the app's create(), pid that answered) from the probe app."""
        status, _, body = self.get(h, "/pid")
        self.assertEqual(status, 200, body)
        fields = dict(f.split("=") for f in body.decode().split())
        return int(fields["created_in"]), int(fields["served_by"])

    def test_preload_app_creates_the_app_in_the_arbiter(self):
        h = self.daemon(["--preload", PROBE_APP])
        workers = h.workers()
        for _ in range(4):  # whichever worker answers, the arbiter made its app
            created_in, served_by = self.pids(h)
            self.assertEqual(created_in, h.pid, "with --preload the app was not created in the arbiter")
            self.assertIn(served_by, workers)

    def test_without_preload_each_worker_creates_its_app(self):
        h = self.daemon([PROBE_APP])
        workers = h.workers()
        for _ in range(4):
            created_in, served_by = self.pids(h)
            self.assertEqual(created_in, served_by)
            self.assertIn(served_by, workers)


class SystemdTest(HornetTestCase):
    """Socket activation (LISTEN_FDS) and sd_notify, without systemd: the
    test plays its part with a listening socket on fd 3 and a datagram socket."""

    def test_socket_activation_and_notify(self):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        notify_path = os.path.join(self.tmp, "notify")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(20)
        self.addCleanup(notify.close)
        env = {"NOTIFY_SOCKET": notify_path, "LISTEN_FDS": "1"}
        # LISTEN_PID must be hornet's own pid: set it in the shell that execs it.
        script = 'LISTEN_PID=$$ exec "$0" -w 1 hello'
        fd = listener.fileno()
        log = open(os.path.join(self.tmp, "error.log"), "wb")
        self.addCleanup(log.close)
        # fd 3 is kept open (pass_fds) after preexec_fn moved the socket there.
        p = subprocess.Popen(["/bin/sh", "-c", script, HORNET_BIN], cwd=self.tmp,
                             env={**os.environ, **env}, pass_fds=(fd, 3),
                             preexec_fn=lambda: os.dup2(fd, 3),
                             stderr=log, stdout=subprocess.DEVNULL)
        self.addCleanup(p.wait, 5)
        self.addCleanup(stop_arbiter, p.pid, 0.0)  # runs first: TERM, then KILL
        listener.close()
        self.assertEqual(notify.recv(256), b"READY=1")
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/")
        self.assertEqual(c.getresponse().status, 200)
        c.close()
        os.kill(p.pid, signal.SIGHUP)
        self.assertEqual(notify.recv(256), b"RELOADING=1")
        self.assertEqual(notify.recv(256), b"READY=1")
        os.kill(p.pid, signal.SIGTERM)
        self.assertEqual(notify.recv(256), b"STOPPING=1")
        self.assertEqual(p.wait(15), 0)


if __name__ == "__main__":
    main()
