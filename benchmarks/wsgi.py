"""The benchmark's app: the real app as ``app.py`` serves it (with its collector settings), plus a bare floor route and a count of SQL statements per request.

Serve it with ``gunicorn benchmarks.wsgi:app`` (the runner does). Neither addition exists in the
real app: the floor is what the cheapest possible page costs on the same server, and the
``X-Bench-Statements`` header tells the runner how many statements each page ran.
"""
from flask import g, render_template_string
from sqlalchemy import event

from app import app
from trainer.extensions import db

FLOOR_TEMPLATE = "<!doctype html><title>Floor</title><p>{{ message }}</p>"


@app.get("/_bench/floor")
def floor():
    """A trivial template: the floor every page is compared with."""
    return render_template_string(FLOOR_TEMPLATE, message="Floor")


@app.before_request
def _start_counting():
    g.bench_statements = 0


@app.after_request
def _report_count(response):
    response.headers["X-Bench-Statements"] = str(g.get("bench_statements", 0))
    return response


with app.app_context():
    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(*_args, **_kwargs):
        if g:
            g.bench_statements = g.get("bench_statements", 0) + 1
