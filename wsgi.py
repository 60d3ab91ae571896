"""The console for gunicorn (``wsgi:app``) and the management CLI (``flask --app wsgi``).

This is the composition root of those processes (``wiring.compose``): the job worker
(``flask --app wsgi jobs work``) gets its handlers and the domain its Kamailio registrar here.
"""
import wiring
from console import create_app

app = create_app()
wiring.compose(app.config["POSTE_SETTINGS"])
