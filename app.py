"""WSGI entry point: ``gunicorn app:app`` or ``flask --app app run``."""
from trainer import collector, create_app

app = create_app()
# Each worker imports this module once it has started: what it built so far lives as long as it.
collector.settle()
