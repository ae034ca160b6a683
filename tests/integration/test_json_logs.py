"""test_json_logs.py: the logs as JSON, for log shippers.

- access_log_format: json / json:FIELD,...: every line of --access-logfile is
  one object that Python's json.loads reads, on every worker type, whatever
  the client sent: quotes, backslashes, control bytes, bytes that are not
  UTF-8, a value that tries to add a key ("status":999). Values come back
  as sent (ill-formed UTF-8 as Python's decode("utf-8", "replace")).
- a bad field list is one config error line with file:line:column and a
  suggestion; --print-config gives back a field list hornet accepts.
- log_format: json: every error-log line is an object with time, level,
  pid and message, also for a config error that quotes the user's YAML
  (a failed reload) and for an app name with quotes and backslashes.
"""

import json
import os
import signal
import time

import harness
import http_wire as wire
from harness import HornetTestCase, wait_until

# Header values hornet's parser lets through to the app (and the log).
HOSTILE = {
    b"X-Quote": b'say "hi"',
    b"X-Backslash": b"C:\\dir\\ \\",
    b"X-Bytes": b"\xff\xfe latin \xe9 and \xf0\x9f\x90\x9d",
    b"X-Inject": b'x","status":999,"y":"',
    b"X-Tab": b"a\tb",
    b"User-Agent": b'agent\\"}{"',
    b"Referer": b"http://r/?q=\"\\",
}
FIELDS = ("json:status,method,path,query,request,user_agent,referer,header.x-id,header.x-quote,"
          "header.x-backslash,header.x-bytes,header.x-inject,header.x-tab")


def text(raw):
    return raw.decode("utf-8", "replace")


def read_objects(test, path, count, timeout=10.0):
    """The file's lines once it has count of them, each parsed with json.loads
    (strict UTF-8); fails on any line that is not one JSON object."""
    def lines():
        if not os.path.exists(path):
            return []
        with open(path, "rb") as f:
            return f.read().splitlines()
    got = wait_until(lambda: len(lines()) >= count and lines(), timeout) or lines()
    test.assertEqual(len(got), count, got)
    objects = []
    for raw in got:
        obj = json.loads(raw.decode("utf-8"))  # strict: the line must be UTF-8
        test.assertIsInstance(obj, dict, raw)
        objects.append(obj)
    return objects


class JsonAccessLogCase(HornetTestCase):

    def hostile_requests(self, port, log):
        """Sends the hostile requests; returns what each line must say. Each
        waits for the line before it (threads may log in another order)."""
        want = []
        head = b"".join(name + b": " + value + b"\r\n" for name, value in HOSTILE.items())
        resp, reader = harness.exchange(port, b"GET /p/\"q\\?a=\"1\"\\ HTTP/1.1\r\nHost: h\r\nX-Id: 1\r\n" + head +
                                     b"Connection: close\r\n\r\n")
        reader.close()
        self.assertEqual(resp.status, 200)
        row = {"status": 200, "method": "GET", "path": '/p/"q\\', "query": 'a="1"\\',
               "request": 'GET /p/"q\\?a="1"\\ HTTP/1.1', "header.x-id": "1"}
        for name, value in HOSTILE.items():
            key = {b"User-Agent": "user_agent", b"Referer": "referer"}.get(name, "header." + name.decode().lower())
            row[key] = text(value)
        want.append(row)
        read_objects(self, log, len(want))
        # A control byte or a non-ASCII byte in the request line: refused,
        # logged with the line as received.
        line = b"GET /x\x01\xff\xfe\"y HTTP/1.1"
        self.assertIn(b" 400 ", harness.raw_exchange(port, line + b"\r\nHost: h\r\n\r\n")[:20])
        want.append({"status": 400, "method": None, "path": None, "query": None, "request": text(line),
                     "header.x-id": None, "header.x-inject": None})
        read_objects(self, log, len(want))
        # A control byte in a header value: refused, and the value never logged.
        self.assertIn(b" 400 ", harness.raw_exchange(port, b"GET / HTTP/1.1\r\nHost: h\r\nX-Id: 3\r\n"
                                                        b"X-Inject: \x01\",\"status\":999\r\n\r\n")[:20])
        want.append({"status": 400, "request": "GET / HTTP/1.1", "header.x-id": None, "header.x-inject": None})
        return want

    def check_objects(self, objects, want):
        keys = [k for k in FIELDS[len("json:"):].split(",")]
        for obj, row in zip(objects, want):
            self.assertEqual(list(obj), keys, "exactly the listed keys, in order")
            for key, value in row.items():
                self.assertEqual(obj[key], value, key)

    def test_hostile_headers_round_trip_on_every_worker_type(self):
        log = os.path.join(self.tmp, "access.log")
        for kind in wire.worker_types():
            if os.path.exists(log):
                os.unlink(log)
            with self.subTest(worker=kind):
                h = self.daemon(wire.worker_args(kind) + ["--access-logfile", log, "--access-log-format", FIELDS,
                                                          "hello"], workers=1)
                want = self.hostile_requests(h.port, log)
                self.check_objects(read_objects(self, log, len(want)), want)
                h.stop()

    def test_default_fields(self):
        log = os.path.join(self.tmp, "access.log")
        h = self.daemon(["--access-logfile", log, "--access-log-format", "json", "hello"], workers=1)
        status, _, _ = self.get(h, "/a?b=1", headers={"User-Agent": "t/1", "Authorization": "Basic YWxpY2U6cHc="})
        self.assertEqual(status, 200)
        [obj] = read_objects(self, log, 1)
        self.assertEqual(list(obj), ["time", "remote_addr", "user", "request", "method", "path", "query",
                                     "protocol", "status", "bytes", "duration_us", "referer", "user_agent"])
        self.assertEqual({k: obj[k] for k in ("remote_addr", "user", "request", "method", "path", "query",
                                              "protocol", "status", "bytes", "referer", "user_agent")},
                         {"remote_addr": "127.0.0.1", "user": "alice", "request": "GET /a?b=1 HTTP/1.1",
                          "method": "GET", "path": "/a", "query": "b=1", "protocol": "HTTP/1.1", "status": 200,
                          "bytes": len(b"Hello, World!\n"), "referer": None, "user_agent": "t/1"})
        self.assertRegex(obj["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$")
        self.assertIsInstance(obj["duration_us"], int)

    def test_bad_field_list_is_one_config_error(self):
        path = os.path.join(self.tmp, "hornet.yaml")
        with open(path, "w") as f:
            f.write("app: hello\naccess_log_format: \"json:status,stauts\"\n")
        rc, _, err = harness.run_once(["--check-config", "-c", path], self.tmp)
        self.assertEqual(rc, 2)
        line = self.assertOneErrorLine(err, "hornet.yaml:2:", "access_log_format", "unknown JSON field 'stauts'")
        self.assertIn("did you mean 'status'?", line)

    def test_print_config_gives_back_what_hornet_accepts(self):
        fields = 'json:status, header.X-Id,response_header.content-type'
        rc, out, err = harness.run_once(["--print-config", "--access-log-format", fields, "hello"], self.tmp,
                                        env={"HORNET_LOG_FORMAT": "json"})
        self.assertEqual(rc, 0, err)
        self.assertIn("log_format: json", out.splitlines())
        path = os.path.join(self.tmp, "printed.yaml")
        with open(path, "w") as f:
            f.write(out)
        rc, out2, err = harness.run_once(["--print-config", "-c", path], self.tmp)
        self.assertEqual((rc, out2), (0, out), err)


class JsonErrorLogCase(HornetTestCase):

    def assertAllJson(self, lines):
        """Every line is an object with exactly time, level, pid, message."""
        objects = []
        for line in lines:
            obj = json.loads(line)
            self.assertEqual(list(obj), ["time", "level", "pid", "message"], line)
            self.assertIsInstance(obj["pid"], int)
            objects.append(obj)
        return objects

    def test_every_line_is_json_through_a_failed_reload(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write("app: hello\nlog_format: json\n")
        h = self.daemon(["-c", config], workers=1)
        # A reload whose config error quotes the user's quotes and backslashes.
        bad = 'wor"kers\\: 3'
        with open(config, "w") as f:
            f.write("app: hello\nlog_format: json\n'" + bad.replace("'", "''") + "': 3\n")
        os.kill(h.pid, signal.SIGHUP)
        self.assertTrue(h.wait_log(r"Reload failed: "), h.log())
        self.assertEqual(self.get(h)[0], 200, "the running generation serves on")
        h.stop()
        objects = self.assertAllJson(h.log_lines())
        failed = [o for o in objects if o["message"].startswith("Reload failed: ")]
        self.assertEqual(len(failed), 1, objects)
        self.assertEqual(failed[0]["level"], "error")
        self.assertIn(f"key '{bad}': unknown setting", failed[0]["message"])
        self.assertIn("hornet.yaml:3:", failed[0]["message"])
        levels = {o["level"] for o in objects}
        self.assertLessEqual(levels, {"debug", "info", "warning", "error", "critical"})
        self.assertTrue(any(o["pid"] == h.pid for o in objects))

    def test_an_app_name_with_quotes(self):
        name = 'he"llo\\ {"level"="x"}'  # no ':' or '.': a plugin name, not a Python module
        rc, _, err = harness.run_once(["--log-format", "json", name], self.tmp)
        self.assertEqual(rc, 1)
        [obj] = self.assertAllJson(err.splitlines())  # only JSON on a JSON stderr
        self.assertEqual(obj["level"], "critical")
        self.assertIn(f"app '{name}'", obj["message"])
        # With a log file: the object there, the plain line on stderr for a human.
        log = os.path.join(self.tmp, "error.log")
        rc, _, err = harness.run_once(["--log-format", "json", "--error-logfile", log, name], self.tmp)
        self.assertEqual(rc, 1)
        self.assertOneErrorLine(err, "hornet: error: app '" + name + "'")
        with open(log, encoding="utf-8") as f:
            [obj] = self.assertAllJson(f.read().splitlines())
        self.assertIn(f"app '{name}'", obj["message"])


if __name__ == "__main__":
    harness.main()
