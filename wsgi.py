"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from plateforme import create_app

app = create_app()
