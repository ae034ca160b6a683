"""The Flask app of bench/wsgi.sh: one route, GET / -> 200 text, through
Flask's routing, request context and response object."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!\n", 200, {"Content-Type": "text/plain"}
