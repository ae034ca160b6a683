"""compare_app.py: a Flask app for test_gunicorn.py, served the same way by
Gunicorn and by hornet; it answers with what it sees, so the two servers'
answers can be compared byte for byte (no validator: that would judge
Gunicorn too)."""

import hashlib
import os
import sys

from flask import Flask, Response, jsonify, request

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello from Flask"


@app.route("/env")
def env():
    e = request.environ
    return jsonify(greeting=os.environ.get("GREETING"), cwd=os.getcwd(), first_path=sys.path[0],
                   script_name=e["SCRIPT_NAME"], path_info=e["PATH_INFO"], query=e["QUERY_STRING"],
                   method=e["REQUEST_METHOD"], protocol=e["SERVER_PROTOCOL"], scheme=e["wsgi.url_scheme"],
                   header=e.get("HTTP_X_TEST"), raw_uri=e.get("RAW_URI"))


@app.route("/post", methods=["POST"])
def post():
    data = request.get_data()
    return jsonify(size=len(data), sha256=hashlib.sha256(data).hexdigest(), form=request.form.to_dict())


@app.route("/stream")
def stream():
    return Response((f"line {i}\n" for i in range(5)), mimetype="text/plain")


@app.route("/status/<int:code>")
def status(code):
    return Response(f"status {code}", status=code, headers={"X-Custom": "yes"})


@app.route("/crash")
def crash():
    raise RuntimeError("boom")


def create_app():
    return app


def create_greeter(greeting, times=1):
    # A factory with arguments, as Gunicorn 20+ takes: "compare_app:create_greeter('hi', times=2)".
    def greeter(environ, start_response):
        body = (greeting * times).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    return greeter
