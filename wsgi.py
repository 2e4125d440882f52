"""Entry point for a WSGI server: ``gunicorn wsgi:app``."""

from wellness import create_app

app = create_app()
