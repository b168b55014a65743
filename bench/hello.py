"""The peer for bench.load: Flask's hello world, served by the same gunicorn settings as ours.

    gunicorn -c config/gunicorn.conf.py 'bench.hello:app'
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
