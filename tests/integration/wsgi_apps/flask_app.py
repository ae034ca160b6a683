"""flask_app.py: a Flask app for test_wsgi.py (Debian's python3-flask),
behind wsgiref.validate.validator: routes, JSON, form posts, file uploads,
a streamed response, and errors (an abort and an exception)."""

import hashlib

from flask import Flask, Response, abort, jsonify, request, stream_with_context

from checks import validated

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello from Flask"


@app.route("/user/<name>")
def user(name):
    return jsonify(user=name, args=request.args.to_dict())


@app.route("/json", methods=["POST"])
def echo_json():
    data = request.get_json()
    return jsonify(received=data, count=len(data))


@app.route("/form", methods=["POST"])
def form():
    return jsonify(form=request.form.to_dict(flat=False))


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    data = f.read()
    return jsonify(filename=f.filename, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                   note=request.form.get("note"))


@app.route("/stream/<int:n>")
def stream(n):
    def generate():
        for i in range(n):
            yield f"line {i} of {request.args.get('tag', 'none')}\n"

    return Response(stream_with_context(generate()), mimetype="text/plain")


@app.route("/missing")
def missing():
    abort(404)


@app.route("/crash")
def crash():
    raise LookupError("flask view crashed")


application = validated(app)
