"""Job handler of the media plane run by the job worker: the voicemail email with its MP3 (F2).

The domain queues the job (``tenants.voicemail.notify`` declares it); the worker
registers this handler (``wiring.py``). It reads the current state when it runs, so a retried job
never sends stale data: a message deleted in between is not emailed. Message-waiting
NOTIFYs (F1) are the media app's own jobs: ``rtp/mediaapp/mwi_jobs.py``.
"""
from __future__ import annotations

import logging

from rtp.audio.files import read_wav
from rtp.audio.mp3 import encode_mp3
from tenants import config, mail
from tenants.models import Extension, Mailbox, Tenant
from tenants.voicemail import mailbox_changes, notify
from tenants.voicemail.models import MailboxSettings, VoiceMessage

log = logging.getLogger(__name__)


def send_voicemail_email(payload: dict) -> None:
    message = (VoiceMessage.select(VoiceMessage, Mailbox, Extension, Tenant).join(Mailbox).join(Extension)
               .join(Tenant).where(VoiceMessage.id == payload["message_id"]).first())
    if message is None or message.folder == "deleted":
        log.info("voicemail %s gone before its email; not sent", payload["message_id"])
        return
    mailbox = message.mailbox
    ext = mailbox.extension
    settings = MailboxSettings.get_or_none(MailboxSettings.mailbox == mailbox)
    if not mailbox.email or (settings is not None and not settings.forward_email):
        return  # E8: the owner turned "Renvoyer les messages comme courriels" off
    samples, rate = read_wav(config.current().data_dir / message.path)
    email = mail.compose(mailbox.email, *notify.message_email(message))
    stamp = message.received_at.strftime("%Y%m%d-%H%M%S")
    email.add_attachment(encode_mp3(samples, rate), maintype="audio", subtype="mpeg",
                         filename=f"message-{ext.number}-{stamp}.mp3")
    mail.deliver(email)
    if settings is not None and not settings.keep_original:  # E8: not kept once emailed: to Supprimés
        mailbox_changes.move_message(mailbox.id, message.id, "deleted")
