"""The console for gunicorn (``wsgi:app``) and the management CLI (``flask --app wsgi``).

This is the composition root: it also loads every job handler, so the job worker
(``flask --app wsgi jobs work``) runs every kind of job the other parts queue.
"""
import rtp.notifications  # noqa: F401 - job handlers: voicemail email, message-waiting
from console import create_app

app = create_app()
