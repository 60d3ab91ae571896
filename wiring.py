"""The composition root: which code runs each kind of job, and what the domain's ports are bound to.

``wsgi.py`` calls ``compose`` for every process started from it: gunicorn's console and
every ``flask --app wsgi ...`` command, the job worker among them. The job worker runs
the kinds declared for ``jobs.WORKER``, with the handlers below; the media app runs the
kinds declared for ``jobs.MEDIA`` (message-waiting) and registers their handler itself
(``rtp/mediaapp/mwi_jobs.py``), because they need its SIP socket. Each checks before it
runs a job that every kind it runs has a handler (``jobs.require_handlers``).
"""
from __future__ import annotations

from kamailio.rpc import KamailioRegistrar
from rtp import notifications
from rtp.audio.port import MediaAudio
from tenants import audio_port, extensions, jobs, mail, ports, prepaid
from tenants.config import Settings
from tenants.voicemail import notify, portal_mail


def worker_handlers() -> dict[str, jobs.Handler]:
    """Every kind the job worker runs, and the function that runs it."""
    return {
        mail.SEND_MAIL: mail.send_mail,
        extensions.PIN_EMAIL: extensions.send_pin_email,
        notify.EMAIL_JOB: notifications.send_voicemail_email,
        prepaid.RECONCILE_JOB: prepaid.reconcile_call,
        portal_mail.FORWARD_EMAIL: portal_mail.send_forward,
    }


def register_handlers() -> None:
    """Register the job worker's handlers; fail now if a kind it runs has none."""
    for kind, run in worker_handlers().items():
        jobs.register(kind, run)
    jobs.require_handlers(jobs.WORKER)


def compose(settings: Settings) -> None:
    """Wire a process of the console, the CLI or the job worker for ``settings``."""
    register_handlers()
    ports.install_registrar(KamailioRegistrar(settings))
    audio_port.install(MediaAudio())  # the portal's greetings and voice messages (issue 17)
