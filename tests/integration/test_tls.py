"""test_tls.py: TLS on sync, gthread and async, with real clients.

A throwaway CA is made with `openssl` when the module starts (in a temp
dir, removed at exit; no key is ever committed): a server certificate for
localhost/127.0.0.1, a second one for SNI, client certificates from that CA
and from a stranger's, an expired certificate and a key of another pair.

- curl --cacert, Python ssl + http.client (keep-alive, bodies both ways),
  `openssl s_client` (SNI with -servername, ALPN, resumption with -sess_in
  across several workers, TLS 1.2 and 1.3), per worker type;
- the conformance table (conformance_requests.txt) over TLS;
- the scheme and the client certificate as the app sees them (wsgi environ:
  wsgi.url_scheme, HTTPS, SSL_CLIENT_S_DN, SSL_CLIENT_CERT), mTLS accepted
  and refused;
- bad files: one line naming the setting, the file and the reason, at
  --check-config (exit 2) and at start; a worker type without TLS refused;
- rotation on SIGHUP under load (zero failed requests, the new certificate
  served, a broken one keeps the old generation);
- WebSocket (wss) through the upgrade on every worker type;
- a client that sends half a ClientHello costs header_timeout, not a thread.
"""

import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import harness
import http_wire as wire
import ws_frames as ws
from harness import HornetTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
WSGI_APPS = os.path.join(HERE, "wsgi_apps")
TLS_TYPES = ("sync", "gthread", "async")
H2LOAD = shutil.which("h2load") or "h2load"  # nghttp2-client, in scripts/dev's packages
CASES = wire.load_cases()

# ------------------------------------------------------------- certificates

PKI = tempfile.mkdtemp(prefix="hornet-tls-pki-", dir=harness.TMP_ROOT)
atexit.register(shutil.rmtree, PKI, True)


def pki(name):
    return os.path.join(PKI, name)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, cwd=PKI, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(name, cn):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", f"/CN={cn}", "-days", "2")


def make_cert(name, cn, ca="ca", san=None, client=False, dates=None, days=2, extra=""):
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/O=hornet tests/CN={cn}")
    ext = pki(f"{name}.ext")
    with open(ext, "w") as f:
        f.write(f"subjectAltName={san or 'DNS:' + cn}\n")
        f.write(f"extendedKeyUsage={'clientAuth' if client else 'serverAuth'}\n{extra}")
    if dates is None:
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", str(days), "-extfile", ext)
        return
    # Dates in the past need `openssl ca` (x509 -req has no -not_before in 3.0).
    os.makedirs(pki("db"), exist_ok=True)
    open(pki("db/index.txt"), "a").close()
    with open(pki("db/serial"), "w") as f:
        f.write("1000\n")
    with open(pki("ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = t\n[t]\ndatabase = db/index.txt\nnew_certs_dir = db\nserial = db/serial\n"
                "default_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n"
                "organizationName = optional\n")
    openssl("ca", "-batch", "-config", "ca.cnf", "-cert", f"{ca}.pem", "-keyfile", f"{ca}.key", "-in",
            f"{name}.csr", "-out", f"{name}.pem", "-startdate", dates[0], "-enddate", dates[1], "-notext")


make_ca("ca", "hornet test CA")
make_ca("stranger", "someone else's CA")
make_cert("server", "localhost", san="DNS:localhost,IP:127.0.0.1")
make_cert("other", "other.test", san="DNS:other.test,DNS:*.wild.test")
make_cert("renewed", "localhost", san="DNS:localhost,IP:127.0.0.1")
make_cert("client", "client one", client=True)
make_cert("rogue", "rogue client", ca="stranger", client=True)
make_cert("expired", "old.test", dates=("20200101000000Z", "20200102000000Z"))
make_cert("unrelated", "unrelated.test")


def tls_args(cert="server"):
    return ["--certfile", pki(f"{cert}.pem"), "--keyfile", pki(f"{cert}.key")]


def client_context(cert=None):
    ctx = ssl.create_default_context(cafile=pki("ca.pem"))
    if cert:
        ctx.load_cert_chain(pki(f"{cert}.pem"), pki(f"{cert}.key"))
    return ctx


def tls_connect(port, ctx=None, server_name="localhost", timeout=10.0):
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return (ctx or client_context()).wrap_socket(raw, server_hostname=server_name)


def tls_exchange(port, data, timeout=10.0):
    """wire.exchange over TLS: send data on a new connection, read one response."""
    reader = wire.Reader(tls_connect(port, timeout=timeout), timeout)
    reader.sock.sendall(data)
    return wire.read_response(reader), reader


def https(port, path="/", method="GET", body=None, headers=None, ctx=None, timeout=10.0):
    c = http.client.HTTPSConnection("localhost", port, context=ctx or client_context(), timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def s_client(port, *args, data=b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", timeout=20):
    """openssl s_client's output (stdout + stderr) for one connection that sends data
    and reads until the server closes (no data: handshake only)."""
    wait = ["-ign_eof"] if data else []
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", pki("ca.pem"),
                        *wait, *args], input=data, capture_output=True, timeout=timeout)
    return p.stdout.decode("latin-1") + p.stderr.decode("latin-1")


def served_pid(s_client_output):
    """The worker pid tls_app reports in the response s_client printed."""
    m = re.search(r'"pid": (\d+)', s_client_output)
    if not m:
        raise AssertionError(s_client_output)
    return int(m.group(1))


def served_subject(port, server_name="localhost"):
    with tls_connect(port, server_name=server_name) as s:
        cert = s.getpeercert()
    return dict(x[0] for x in cert["subject"])


def wsgi_args():
    return ["--pythonpath", WSGI_APPS, "tls_app:application"]


def json_body(port, ctx=None):
    status, body = https(port, ctx=ctx)
    if status != 200:
        raise AssertionError(f"status {status}: {body!r}")
    return json.loads(body)


# --------------------------------------------------------------------- tests


class EveryWorkerType(HornetTestCase):

    def each_type(self, check, args=(), workers=1):
        for kind in TLS_TYPES:
            with self.subTest(worker=kind):
                h = self.daemon(wire.worker_args(kind) + tls_args() + list(args), workers=workers)
                check(kind, h)
                h.stop()

    def test_listening_line_says_https(self):
        def check(kind, h):
            self.assertTrue(h.url.startswith("https://127.0.0.1:"), h.url)
        self.each_type(check, ["hello"])

    def test_curl(self):
        def check(kind, h):
            out = subprocess.run(["curl", "-sS", "--cacert", pki("ca.pem"), "-w", " %{http_code} %{scheme}",
                                  f"https://localhost:{h.port}/", f"https://127.0.0.1:{h.port}/again"],
                                 capture_output=True, timeout=20)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.count(b"Hello, World!"), 2, out.stdout)
            self.assertIn(b"200 HTTPS", out.stdout)
        self.each_type(check, ["hello"])

    def test_http_client_keep_alive_and_bodies(self):
        def check(kind, h):
            c = http.client.HTTPSConnection("localhost", h.port, context=client_context(), timeout=10)
            try:
                body = os.urandom(300 * 1024)
                for i in range(3):
                    c.request("POST", f"/{i}", body=body, headers={"Content-Type": "application/octet-stream"})
                    r = c.getresponse()
                    data = r.read()
                    self.assertEqual(r.status, 200)
                    self.assertTrue(data.endswith(body), f"{kind}: echo {i} lost bytes")
                c.request("POST", "/chunked", body=iter([b"a" * 70000, b"b" * 5]), encode_chunked=True)
                r = c.getresponse()
                self.assertTrue(r.read().endswith(b"a" * 70000 + b"b" * 5))
                # keep-alive: every request rode the first connection (sync closes: Gunicorn's sync)
                if kind != "sync":
                    self.assertIsNotNone(c.sock)
            finally:
                c.close()
        self.each_type(check, ["echo"])

    def test_pipelined_requests_in_one_record(self):
        def check(kind, h):
            reader = wire.Reader(tls_connect(h.port), 10)
            reader.sock.sendall(b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n")
            first = wire.read_response(reader)
            self.assertEqual(first.status, 200)
            self.assertIn(b"GET /1", first.body)
            if kind != "sync":  # sync answers one request per connection
                second = wire.read_response(reader)
                self.assertIn(b"GET /2", second.body)
            reader.close()
        self.each_type(check, ["echo"])

    def test_scheme_and_tls_keys_reach_the_app(self):
        def check(kind, h):
            env = json_body(h.port)
            self.assertEqual(env["wsgi.url_scheme"], "https")
            self.assertEqual(env["HTTPS"], "on")
            self.assertIn(env["SSL_PROTOCOL"], ("TLSv1.2", "TLSv1.3"))
            self.assertEqual(env["SSL_CLIENT_VERIFY"], "NONE")
            self.assertIsNone(env["SSL_CLIENT_S_DN"])
        self.each_type(check, wsgi_args())

    def test_file_bodies_are_encrypted_not_sendfiled(self):
        data = os.urandom(3 * 1024 * 1024 + 17)
        path = os.path.join(self.tmp, "big.bin")
        with open(path, "wb") as f:
            f.write(data)

        def check(kind, h):
            status, body = https(h.port, f"/file?{path}", timeout=30)
            self.assertEqual(status, 200)
            self.assertEqual(len(body), len(data))
            self.assertTrue(body == data, f"{kind}: the file came back different")
        self.each_type(check, wsgi_args())

    def test_mtls_accepted_and_refused(self):
        def check(kind, h):
            env = json_body(h.port, ctx=client_context("client"))
            self.assertEqual(env["SSL_CLIENT_VERIFY"], "SUCCESS")
            self.assertEqual(env["SSL_CLIENT_S_DN"], "CN=client one,O=hornet tests")
            with open(pki("client.pem")) as f:
                self.assertEqual(env["SSL_CLIENT_CERT"].strip(), f.read().strip())
            for refused in (None, "rogue"):
                with self.assertRaises((ssl.SSLError, ConnectionError, OSError), msg=f"{kind}: {refused}"):
                    https(h.port, ctx=client_context(refused))
            self.assertEqual(json_body(h.port, ctx=client_context("client"))["SSL_CLIENT_VERIFY"], "SUCCESS")
        self.each_type(check, ["--ca-certs", pki("ca.pem"), "--cert-reqs", "required", *wsgi_args()])

    def test_optional_client_certificate(self):
        h = self.daemon(["-k", "async", *tls_args(), "--ca-certs", pki("ca.pem"), "--cert-reqs", "optional",
                         *wsgi_args()], workers=1)
        self.assertEqual(json_body(h.port)["SSL_CLIENT_VERIFY"], "NONE")
        self.assertEqual(json_body(h.port, ctx=client_context("client"))["SSL_CLIENT_S_DN"],
                         "CN=client one,O=hornet tests")

    def test_sni_chooses_the_certificate(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write(f"certfile: {pki('server.pem')}\nkeyfile: {pki('server.key')}\ncertificates:\n"
                    f"  - server_name: other.test\n    certfile: {pki('other.pem')}\n"
                    f"    keyfile: {pki('other.key')}\n"
                    f"  - server_name: '*.wild.test'\n    certfile: {pki('other.pem')}\n"
                    f"    keyfile: {pki('other.key')}\napp: hello\n")
        for kind in TLS_TYPES:
            with self.subTest(worker=kind):
                h = self.daemon(["-c", config, *wire.worker_args(kind)], workers=1)
                self.assertEqual(served_subject(h.port, "other.test")["commonName"], "other.test")
                self.assertEqual(served_subject(h.port, "a.wild.test")["commonName"], "other.test")
                self.assertEqual(served_subject(h.port, "localhost")["commonName"], "localhost")
                out = s_client(h.port, "-servername", "other.test")
                self.assertRegex(out, r"subject=.*CN = other.test")
                self.assertIn("Hello, World!", out)
                h.stop()

    def test_alpn_says_http_1_1(self):
        def check(kind, h):
            out = s_client(h.port, "-alpn", "h2,http/1.1")
            self.assertIn("ALPN protocol: http/1.1", out)
            self.assertIn("Hello, World!", out)
            # A client that offers only h2 gets no ALPN and may still speak HTTP/1.1.
            self.assertIn("No ALPN negotiated", s_client(h.port, "-alpn", "h2"))
        self.each_type(check, ["hello"])

    def test_websocket_over_tls(self):
        def check(kind, h):
            c = ws.WsClient(h.port, handshake=False)
            c.sock.close()
            c.sock = tls_connect(h.port)
            status, headers = c.handshake()
            self.assertEqual(status, 101)
            self.assertEqual(headers["sec-websocket-accept"], ws.accept_for(c.key))
            c.send(ws.TEXT, b"over tls")
            self.assertEqual(c.recv_message(), (ws.TEXT, b"over tls"))
            big = os.urandom(200 * 1024)
            c.send(ws.BINARY, big)
            self.assertEqual(c.recv_message(), (ws.BINARY, big))
            c.close()
        self.each_type(check, ["--threads", "4", "wsecho"])

    def test_plain_and_tls_listeners_side_by_side(self):
        h = self.daemon(["-k", "gthread", *tls_args(), "-b", "http://127.0.0.2:0", "-b", "127.0.0.1:0", "hello"],
                        workers=1, listeners=2)
        (plain, _), (secure, _) = h.listeners()
        self.assertTrue(plain.startswith("http://"), plain)
        self.assertTrue(secure.startswith("https://"), secure)
        self.assertEqual(harness.http_get(harness.port_of(plain), "/", host="127.0.0.2")[0], 200)
        self.assertEqual(https(harness.port_of(secure))[0], 200)


def strict_connect(port, timeout=10.0):
    """A TLS connection whose reads tell a close_notify (b"") from a bare TCP close (SSLEOFError)."""
    ctx = client_context()
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)  # Debian's Python sets it by default
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return ctx.wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False)


def end_of_stream(reader, timeout=10.0):
    """How the server ended the stream after what reader holds: 'close_notify' or what broke it."""
    reader.sock.settimeout(timeout)
    try:
        while reader.sock.recv(4096):
            pass
        return "close_notify"
    except ssl.SSLError as e:  # UNEXPECTED_EOF_WHILE_READING: a TCP close alone
        return e.reason or type(e).__name__
    except ConnectionError as e:
        return type(e).__name__


class CloseNotify(HornetTestCase):
    """Every connection a worker ends (but a stop now) ends with a TLS close_notify."""

    def answered(self, h, close):
        reader = wire.Reader(strict_connect(h.port), 10)
        extra = b"Connection: close\r\n" if close else b""
        reader.sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n" + extra + b"\r\n")
        self.assertEqual(wire.read_response(reader).status, 200)
        return reader

    def each_type(self, kinds, args, check):
        for kind in kinds:
            with self.subTest(worker=kind):
                h = self.daemon(wire.worker_args(kind) + tls_args() + args + ["hello"], workers=1)
                check(h)
                h.stop()

    def test_connection_close(self):
        def check(h):
            with self.answered(h, close=True) as reader:
                self.assertEqual(end_of_stream(reader), "close_notify")
        self.each_type(TLS_TYPES, [], check)

    def test_a_client_that_never_closes_costs_the_linger_not_the_connection(self):
        # A request the worker will not read (after Connection: close) makes it linger after its
        # close_notify, reading until the client closes, for at most sdk::kLingerMs (1 s: the
        # worker lets go 1.02 s after the close_notify). A client that never closes must not
        # hold the worker's end longer.
        def check(h):
            with wire.Reader(strict_connect(h.port), 10) as reader:
                reader.sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                                    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                self.assertEqual(wire.read_response(reader).status, 200)
                port = reader.sock.getsockname()[1]
                self.assertEqual(end_of_stream(reader), "close_notify")  # and the client stays
                self.assertTrue(harness.wait_until(lambda: not harness.held_connections(h.port, port), 10),
                                "the worker still holds a connection its client never closed")
        self.each_type(("gthread", "async"), [], check)

    def test_keep_alive_timeout(self):
        def check(h):
            with self.answered(h, close=False) as reader:
                self.assertEqual(end_of_stream(reader), "close_notify")
        self.each_type(("gthread", "async"), ["--keep-alive", "1"], check)

    def test_graceful_stop(self):
        # An idle connection gets the keep-alive time (2 s, within the 5 s grace) to send one more request.
        def check(h):
            with self.answered(h, close=False) as reader:
                os.kill(h.pid, signal.SIGTERM)
                self.assertEqual(end_of_stream(reader), "close_notify")
            self.assertEqual(h.wait_exit(), 0)
        self.each_type(("gthread", "async"), ["--keep-alive", "2"], check)

    def test_client_close_notify_is_answered(self):
        def check(h):
            with self.answered(h, close=False) as reader:
                reader.sock.settimeout(10)
                reader.sock.unwrap()  # sends ours, waits for the server's: an SSLError if it only closes
        self.each_type(("gthread", "async"), [], check)


class WatchPeerOverTls(HornetTestCase):
    """watch_peer on async: a client that sends close_notify and keeps its TCP side open has left."""

    def test_close_notify_without_fin_is_the_client_leaving(self):
        idle = os.path.join(self.tmp, "idle")
        apps = os.path.join(HERE, "asgi_apps")
        h = self.daemon(["-k", "async", *tls_args(), "--pythonpath", apps, "spec_app:app"], workers=1,
                        env={"SPEC_APP_IDLE_FILE": idle})
        sends = [b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"POST /idle HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
                 # a pipelined request in the same record stays for later: no sign either way
                 b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\nGET /scope HTTP/1.1\r\nHost: x\r\n\r\n"]
        # TLS 1.2: no session ticket comes after the handshake. An unread TLS 1.3 one made
        # OpenSSL 3.0's unwrap() below fail with "application data after close notify".
        tls12 = client_context()
        tls12.maximum_version = ssl.TLSVersion.TLSv1_2
        for i, data in enumerate(sends, 1):
            s = tls_connect(h.port, ctx=tls12)
            s.sendall(data)
            # the app waits in receive() once the request is in: another connection answered shows it was read
            self.assertEqual(https(h.port, "/state")[0], 200)
            s.setblocking(False)
            with self.assertRaises(ssl.SSLWantReadError):  # nothing was answered
                s.recv(1000)
            with self.assertRaises(ssl.SSLWantReadError):
                s.unwrap()  # our close_notify goes; the TCP connection stays open, no FIN
            self.assertTrue(harness.wait_until(lambda: len(self.lines(idle)) == i, 10),
                            f"request {i}: the app never saw http.disconnect")
            s.close()
        self.assertEqual(self.lines(idle), ["http.disconnect"] * 3)

    def test_a_client_that_stays_is_not_gone(self):
        # Bytes of a next request in a later record are no sign of leaving; the close still is.
        idle = os.path.join(self.tmp, "idle")
        apps = os.path.join(HERE, "asgi_apps")
        h = self.daemon(["-k", "async", *tls_args(), "--pythonpath", apps, "spec_app:app"], workers=1,
                        env={"SPEC_APP_IDLE_FILE": idle})
        s = tls_connect(h.port)
        s.sendall(b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(https(h.port, "/state")[0], 200)
        s.sendall(b"GET /scope HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(https(h.port, "/state")[0], 200)
        self.assertEqual(self.lines(idle), [])
        s.close()
        self.assertTrue(harness.wait_until(lambda: self.lines(idle) == ["http.disconnect"], 10))

    @staticmethod
    def lines(path):
        try:
            with open(path) as f:
                return f.read().split()
        except FileNotFoundError:
            return []


class AccessLogAtoms(HornetTestCase):
    """The access log says what TLS served each request, under mod_ssl's and nginx's names."""

    FORMAT = '%(m)s %({https}e)s %({ssl_protocol}e)s %({ssl_cipher}e)s "%({ssl_client_s_dn}e)s" %({ssl_client_verify}e)s'

    def test_every_worker_type(self):
        for kind in TLS_TYPES:
            with self.subTest(worker=kind):
                log = os.path.join(self.tmp, f"{kind}.log")
                h = self.daemon(wire.worker_args(kind) + tls_args() + [
                    "--ca-certs", pki("ca.pem"), "--cert-reqs", "optional", "-b", "http://127.0.0.2:0",
                    "-b", "127.0.0.1:0", "--access-logfile", log, "--access-logformat", self.FORMAT, "hello"],
                    workers=1, listeners=2)
                (plain, _), (secure, _) = h.listeners()
                port = harness.port_of(secure)
                self.assertEqual(https(port, ctx=client_context("client"))[0], 200)
                self.assertEqual(https(port, method="HEAD")[0], 200)
                self.assertEqual(harness.http_get(harness.port_of(plain), "/", host="127.0.0.2")[0], 200)
                lines = wire.wait_for_file_lines(log, 3)
                with_cert, without, clear = lines[:3]
                self.assertRegex(with_cert, r'^GET on TLSv1\.[23] \S+ "CN=client one,O=hornet tests" SUCCESS$')
                self.assertRegex(without, r'^HEAD on TLSv1\.[23] \S+ "-" NONE$')
                self.assertEqual(clear, 'GET - - - "-" -')
                h.stop()

    def test_json_fields(self):
        log = os.path.join(self.tmp, "access.json")
        h = self.daemon(["-k", "async", *tls_args(), "--access-logfile", log, "--access-logformat",
                         "json:status,https,ssl_protocol,ssl_cipher,ssl_client_s_dn,ssl_client_verify", "hello"],
                        workers=1)
        self.assertEqual(https(h.port)[0], 200)
        entry = json.loads(wire.wait_for_file_lines(log, 1)[0])
        self.assertEqual((entry["status"], entry["https"], entry["ssl_client_verify"]), (200, "on", "NONE"))
        self.assertIn(entry["ssl_protocol"], ("TLSv1.2", "TLSv1.3"))
        self.assertTrue(entry["ssl_cipher"])
        self.assertIsNone(entry["ssl_client_s_dn"])

    def test_an_unknown_name_is_one_line(self):
        rc, _, err = harness.run_once(["--check-config", *tls_args(), "--access-logformat",
                                       "%({ssl_client_i_dn}e)s", "hello"], self.tmp)
        self.assertEqual(rc, 2)
        self.assertOneErrorLine(err, "ssl_client_i_dn", "{ssl_client_s_dn}e")


ASGI_APPS = os.path.join(HERE, "asgi_apps")
ASGI_SO = os.path.join(harness.PLUGIN_DIR, "asgi.so")


@unittest.skipUnless(os.path.exists(ASGI_SO), f"no {ASGI_SO}")
class AsgiTlsExtension(HornetTestCase):
    """The ASGI TLS extension in the http and websocket scopes (spec_app's
    /scope and /ws echo the scope), with and without a client certificate,
    TLS 1.3 and 1.2; absent on a plain listener beside it. The suite id is
    checked against the client's own view of the cipher (Python's ssl)."""

    def scope_over_tls(self, port, ctx):
        reader = wire.Reader(tls_connect(port, ctx=ctx))
        with reader:
            reader.sock.sendall(b"GET /scope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            resp = wire.read_response(reader)
            name, version, _ = reader.sock.cipher()
        ids = {c["name"]: c["id"] & 0xFFFF for c in ctx.get_ciphers()}
        return json.loads(resp.body)["scope"], ids.get(name), version

    def test_tls_extension_with_and_without_a_client_certificate(self):
        h = self.daemon(["-k", "async", *tls_args(), "--ca-certs", pki("ca.pem"), "--cert-reqs", "optional",
                         "-b", "127.0.0.1:0", "-b", "http://127.0.0.2:0", "--pythonpath", ASGI_APPS,
                         "spec_app:app"], workers=1, listeners=2)
        ports = {url.partition(":")[0]: harness.port_of(url) for url, _ in h.listeners()}
        tls_port, plain_port = ports["https"], ports["http"]
        scope, suite, _ = self.scope_over_tls(tls_port, client_context())
        self.assertEqual(scope["scheme"], "https")
        self.assertEqual(scope["extensions"]["tls"], {
            "server_cert": None, "client_cert_chain": [], "client_cert_name": None, "client_cert_error": None,
            "tls_version": 0x0304, "cipher_suite": suite})
        self.assertIsInstance(suite, int)

        with open(pki("client.pem")) as f:
            client_pem = f.read()
        scope, _, _ = self.scope_over_tls(tls_port, client_context("client"))
        tls = scope["extensions"]["tls"]
        self.assertEqual(tls["client_cert_name"], "CN=client one,O=hornet tests")
        self.assertEqual([c.strip() for c in tls["client_cert_chain"]], [client_pem.strip()])
        self.assertIsNone(tls["client_cert_error"])
        # One that fails verification never reaches a scope (so no client_cert_error to give).
        with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
            self.scope_over_tls(tls_port, client_context("rogue"))

        old = client_context()
        old.maximum_version = ssl.TLSVersion.TLSv1_2
        scope, suite, version = self.scope_over_tls(tls_port, old)
        self.assertEqual((version, scope["extensions"]["tls"]["tls_version"]), ("TLSv1.2", 0x0303))
        self.assertEqual(scope["extensions"]["tls"]["cipher_suite"], suite)
        self.assertIsNotNone(suite)

        c = http.client.HTTPConnection("127.0.0.2", plain_port, timeout=10)
        c.request("GET", "/scope")
        r = c.getresponse()
        status, body = r.status, r.read()
        c.close()
        self.assertEqual(status, 200)
        self.assertNotIn("tls", json.loads(body)["scope"]["extensions"])

        ws_client = ws.WsClient(tls_port, handshake=False)  # wss: the websocket scope has it too
        ws_client.sock.close()
        ws_client.sock = tls_connect(tls_port, ctx=client_context("client"))
        self.assertEqual(ws_client.handshake("/ws")[0], 101)
        doc = json.loads(ws_client.recv_message()[1])
        ws_client.close()
        self.assertEqual(doc["scope"]["scheme"], "wss")
        self.assertEqual(doc["scope"]["extensions"]["tls"]["client_cert_name"], "CN=client one,O=hornet tests")
        self.assertIn("websocket.http.response", doc["scope"]["extensions"])


class ConformanceOverTls(HornetTestCase):
    """The raw-request table, as test_conformance runs it, over TLS."""

    def test_every_case_on_every_worker_type(self):
        for kind in TLS_TYPES:
            with self.subTest(worker=kind):
                h = self.daemon(wire.worker_args(kind) + tls_args() + ["--header-timeout", "5s", "echo"], workers=1)
                failures = wire.table_failures(h.port, CASES, send=tls_exchange)
                self.assertEqual(failures, [], f"{kind}: {len(failures)} of {len(CASES)}\n" + "\n".join(failures))
                h.stop()


class Resumption(HornetTestCase):

    def test_tickets_resume_on_every_worker(self):
        """One full handshake; then its worker leaves, and the others resume the session:
        the ticket keys are the arbiter's, not the worker's. (Which worker accepts a
        connection is the scheduler's say under load; a worker that is gone is not.)"""
        for kind in ("gthread", "async"):
            for version in ("-tls1_3", "-tls1_2"):
                with self.subTest(worker=kind, version=version):
                    h = self.daemon(wire.worker_args(kind) + tls_args() + wsgi_args(), workers=2)
                    sess = os.path.join(self.tmp, "session.pem")
                    first = s_client(h.port, version, "-sess_out", sess)
                    self.assertIn("New, TLSv1.", first)
                    issuer = served_pid(first)
                    os.kill(issuer, signal.SIGTERM)
                    self.assertTrue(harness.wait_until(
                        lambda: issuer not in h.workers() and len(h.boot_pids()) >= 3, 20), h.log())
                    pids, reused = set(), 0
                    for _ in range(6):
                        out = s_client(h.port, version, "-sess_in", sess)
                        reused += "Reused, TLSv1." in out
                        pids.add(served_pid(out))
                    self.assertEqual(reused, 6, f"{kind} {version}: resumed {reused} of 6 on {pids}")
                    self.assertNotIn(issuer, pids)
                    h.stop()

    def test_clients_reconnecting_at_once_never_wait_for_a_sleeping_worker(self):
        """h2load --h1: 8 clients, a resumed handshake and a request per
        connection. A gthread worker whose accept wait ended while the clock
        ticked slept with its listeners out of the epoll, for up to half a
        beat (-t 120: 30 s), while connections sat in the backlog; this run
        took 28-60 s then. It takes well under a second."""
        for kind in ("gthread", "async"):
            with self.subTest(worker=kind):
                h = self.daemon(wire.worker_args(kind) + ["-t", "120", "--keep-alive", "120s", *tls_args(), "hello"],
                                workers=2)
                t0 = time.monotonic()
                out = subprocess.run([H2LOAD, "--h1", "-t1", "-c8", "-n1200", "-H", "Connection: close",
                                      f"https://127.0.0.1:{h.port}/"], capture_output=True, text=True, timeout=120)
                took = time.monotonic() - t0
                self.assertIn("1200 succeeded, 0 failed", out.stdout, out.stdout + out.stderr)
                self.assertLess(took, 15.0, out.stdout)
                h.stop()

    def test_reconnect_tls_1_2(self):
        h = self.daemon(["-k", "async", *tls_args(), "hello"], workers=3)
        out = s_client(h.port, "-tls1_2", "-reconnect", data=b"")
        self.assertEqual(out.count("Reused, TLSv1.2"), 5, out)


class BadConfig(HornetTestCase):

    def check_config(self, *args):
        rc, _, log = harness.run_once(["--check-config", *args, "hello"], self.tmp)
        return rc, log

    def test_one_line_each(self):
        cases = [
            (tls_args("server")[:2] + ["--keyfile", pki("nope.key")], ("keyfile", "nope.key", "No such file")),
            (["--certfile", pki("nope.pem"), "--keyfile", pki("server.key")], ("certfile", "nope.pem", "No such file")),
            (["--certfile", pki("server.pem"), "--keyfile", pki("unrelated.key")],
             ("keyfile", "unrelated.key", "does not match certfile")),
            (tls_args("expired"), ("certfile", "expired.pem", "expired on")),
            (["--certfile", pki("ca.srl"), "--keyfile", pki("server.key")], ("certfile", "not a PEM certificate")),
            (tls_args() + ["--cert-reqs", "required"], ("cert_reqs", "ca_certs")),
            (tls_args() + ["--cert-reqs", "sometimes"], ("--cert-reqs", "none, optional, required")),
            (tls_args() + ["--ciphers", "NO-SUCH-CIPHER"], ("ciphers", "NO-SUCH-CIPHER")),
            (["-b", "https://127.0.0.1:0"], ("https://127.0.0.1:0", "certfile")),
            (tls_args() + ["-k", "uring"], ("uring", "does not serve TLS")),
        ]
        for args, needles in cases:
            with self.subTest(args=args):
                rc, log = self.check_config(*args)
                self.assertEqual(rc, 2, log)
                self.assertOneErrorLine(log, *needles)

    def test_good_config_checks(self):
        rc, log = self.check_config(*tls_args(), "--ca-certs", pki("ca.pem"), "--cert-reqs", "2",
                                    "--ssl-version", "TLSv1_3", "--do-handshake-on-connect")
        self.assertEqual(rc, 0, log)

    def test_bad_certificate_at_start(self):
        rc, _, log = harness.run_once(tls_args("expired") + ["hello"], self.tmp)
        self.assertEqual(rc, 2, log)
        self.assertOneErrorLine(log, "expired.pem", "expired")
        self.assertNotIn("Booting worker", log)

    def test_minimum_version(self):
        h = self.daemon(["-k", "async", *tls_args(), "--ssl-version", "TLSv1_3", "hello"], workers=1)
        self.assertIn("Protocol  : TLSv1.3", s_client(h.port))
        self.assertNotIn("Hello, World!", s_client(h.port, "-tls1_2"))


class Rotation(HornetTestCase):

    def test_sighup_loads_renewed_files_under_load(self):
        for kind in ("gthread", "async"):
            with self.subTest(worker=kind):
                self.rotate(kind)

    def rotate(self, kind):
        cert, key = os.path.join(self.tmp, "live.pem"), os.path.join(self.tmp, "live.key")
        shutil.copy(pki("server.pem"), cert)
        shutil.copy(pki("server.key"), key)
        h = self.daemon(wire.worker_args(kind) + ["--certfile", cert, "--keyfile", key, "hello"], workers=2)
        first_serial = self.serial(h.port)
        stop, results = threading.Event(), {"ok": 0, "failed": []}

        def load():
            while not stop.is_set():
                try:  # a new connection each time: it sees whichever certificate serves
                    status, body = https(h.port)
                    if status == 200 and body == b"Hello, World!\n":
                        results["ok"] += 1
                    else:
                        results["failed"].append(status)
                except Exception as e:  # noqa: BLE001 - every failure counts
                    results["failed"].append(repr(e))

        threads = [threading.Thread(target=load) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            # A long keep-alive connection opened on the old certificate.
            old = http.client.HTTPSConnection("localhost", h.port, context=client_context(), timeout=10)
            old.request("GET", "/")
            self.assertEqual(old.getresponse().read(), b"Hello, World!\n")
            shutil.copy(pki("renewed.pem"), cert)
            shutil.copy(pki("renewed.key"), key)
            os.kill(h.pid, signal.SIGHUP)
            renewed = self.serial_of("renewed")
            self.assertTrue(harness.wait_until(lambda: self.serial(h.port) == renewed, 20),
                            "the renewed certificate is not served")
            if kind != "sync":
                old.request("GET", "/")  # finished on the old generation: still answered
                self.assertEqual(old.getresponse().read(), b"Hello, World!\n")
            old.close()
            # A broken renewal keeps the running generation.
            with open(cert, "w") as f:
                f.write("not a certificate\n")
            os.kill(h.pid, signal.SIGHUP)
            h.wait_log(r"live\.pem: not a PEM certificate", timeout=20)
            time.sleep(0.5)  # load keeps going meanwhile; then check it still serves the renewed one
            self.assertEqual(self.serial(h.port), renewed)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertNotEqual(first_serial, renewed)
        self.assertEqual(results["failed"], [], f"{kind}: {len(results['failed'])} failed, {results['ok']} ok")
        self.assertGreater(results["ok"], 20)
        h.stop()

    def serial(self, port):
        with tls_connect(port) as s:
            der = s.getpeercert(binary_form=True)
        return subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der,
                              capture_output=True, check=True).stdout.strip()

    def serial_of(self, name):
        return subprocess.run(["openssl", "x509", "-in", pki(f"{name}.pem"), "-noout", "-serial"],
                              capture_output=True, check=True).stdout.strip()


class SchemeSwitchAtReload(HornetTestCase):
    """A HUP that turns a listener from plain to TLS and back, on the same socket, under load: the
    scheme changes once, at the cutover (never plain and TLS interleaved, as when both generations
    accept), and no request fails: a client that tries the scheme it last saw, then the other, is
    always served by one of them."""

    def test_plain_to_tls_and_back(self):
        for kind in TLS_TYPES:
            with self.subTest(worker=kind):
                self.switch(kind)

    def switch(self, kind):
        config = os.path.join(self.tmp, f"{kind}.yaml")
        self.write_config(config, tls=False)
        h = self.daemon(["-c", config, *wire.worker_args(kind), *wsgi_args()], workers=2)
        stop, seen, failed, lock = threading.Event(), [], [], threading.Lock()

        def load():
            scheme = "http"
            while not stop.is_set():
                for attempt in (scheme, "https" if scheme == "http" else "http"):
                    got = self.request(h.port, attempt)
                    if got is not None:
                        scheme = attempt
                        with lock:
                            seen.append((got, attempt))
                        break
                else:
                    with lock:
                        failed.append(time.monotonic())

        threads = [threading.Thread(target=load) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            for n, tls in enumerate((True, False), 1):
                self.write_config(config, tls=tls)
                os.kill(h.pid, signal.SIGHUP)
                h.wait_log(r"changes scheme: the serving workers stop accepting", count=n, timeout=20)
                h.wait_log(r"Reloaded: now serving", count=n, timeout=30)
                promoted = time.monotonic()
                want = "https" if tls else "http"
                self.assertTrue(harness.wait_until(lambda: self.connected_since(seen, lock, promoted) > 20, 20))
                late = [s for t, s in self.snapshot(seen, lock) if t > promoted]
                self.assertEqual(set(late), {want}, f"{kind}: after the promotion")
        finally:
            stop.set()
            for t in threads:
                t.join()
        schemes = [s for _, s in sorted(seen)]
        switches = [i for i in range(1, len(schemes)) if schemes[i] != schemes[i - 1]]
        self.assertEqual(failed, [], f"{kind}: {len(failed)} requests failed in both schemes")
        self.assertEqual(len(switches), 2, f"{kind}: the scheme changed at {len(switches)} points, "
                                           f"around {[schemes[max(0, i - 3):i + 3] for i in switches][:4]}")
        h.stop()

    def write_config(self, path, tls):
        with open(path, "w") as f:
            f.write("backlog: 2048\n")
            if tls:
                f.write(f"certfile: {pki('server.pem')}\nkeyfile: {pki('server.key')}\n")

    @staticmethod
    def request(port, scheme):
        """When the connection was made, if a 200 came back over it in that scheme; else None."""
        raw = None
        try:
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            connected = time.monotonic()
            sock = client_context().wrap_socket(raw, server_hostname="localhost") if scheme == "https" else raw
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            with wire.Reader(sock, 10) as reader:
                return connected if wire.read_response(reader).status == 200 else None
        except (OSError, EOFError, ValueError):
            return None
        finally:
            if raw is not None:
                raw.close()

    @staticmethod
    def snapshot(seen, lock):
        with lock:
            return list(seen)

    def connected_since(self, seen, lock, since):
        return sum(1 for t, _ in self.snapshot(seen, lock) if t > since)


class SlowHandshakes(HornetTestCase):

    def test_silent_and_half_hellos_cost_the_header_timeout_not_a_thread(self):
        for kind in ("gthread", "async"):
            with self.subTest(worker=kind):
                args = wire.worker_args(kind) + tls_args() + ["--threads", "1", "--header-timeout", "2s", "hello"]
                h = self.daemon(args, workers=1)
                hello = self.client_hello()
                stalled, silent = [], []
                for _ in range(4):
                    s = socket.create_connection(("127.0.0.1", h.port), timeout=10)
                    s.sendall(hello[: len(hello) // 2])
                    stalled.append(s)
                    # TCP open, nothing sent: the kernel holds it (TCP_DEFER_ACCEPT) or the worker parks it.
                    silent.append(socket.create_connection(("127.0.0.1", h.port), timeout=10))
                self.addCleanup(lambda: [q.close() for q in silent])
                # One handler thread, four stalled handshakes: others are served at once.
                started = time.monotonic()
                for _ in range(5):
                    self.assertEqual(https(h.port, timeout=3)[0], 200)
                self.assertLess(time.monotonic() - started, 10)
                for s in stalled:  # each is closed after the header timeout
                    s.settimeout(10)
                    t0 = time.monotonic()
                    self.assertEqual(s.recv(100), b"")
                    self.assertLess(time.monotonic() - t0, 8)
                    s.close()
                h.stop()

    def client_hello(self):
        """A real ClientHello's bytes, from Python's ssl over a memory BIO."""
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = client_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
        with self.assertRaises(ssl.SSLWantReadError):
            obj.do_handshake()
        return outgoing.read()


if __name__ == "__main__":
    unittest.main(verbosity=2)
