"""tls_app.py: answers what the request knows of its TLS, and which worker
served it (test_tls); /file?PATH sends that file through wsgi.file_wrapper
(the worker's sendfile, which over TLS reads and encrypts)."""
import json
import os

KEYS = ("wsgi.url_scheme", "HTTPS", "SSL_PROTOCOL", "SSL_CIPHER", "SSL_CLIENT_VERIFY", "SSL_CLIENT_S_DN",
        "SSL_CLIENT_CERT")


def application(environ, start_response):
    if environ["PATH_INFO"] == "/file":
        path = environ["QUERY_STRING"]
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(os.path.getsize(path)))])
        return environ["wsgi.file_wrapper"](open(path, "rb"))
    body = json.dumps({"pid": os.getpid(), **{k: environ.get(k) for k in KEYS}}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
