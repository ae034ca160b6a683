"""tls_app.py: answers what the request knows of its TLS, and which worker served it (test_tls)."""
import json, os
def application(environ, start_response):
    keys = ("wsgi.url_scheme", "HTTPS", "SSL_PROTOCOL", "SSL_CIPHER", "SSL_CLIENT_VERIFY", "SSL_CLIENT_S_DN", "SSL_CLIENT_CERT")
    body = json.dumps({"pid": os.getpid(), **{k: environ.get(k) for k in keys}}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
