"""The console for gunicorn (``wsgi:app``) and the management CLI (``flask --app wsgi``)."""
from console import create_app

app = create_app()
