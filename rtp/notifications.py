"""Job handlers of the media plane: the voicemail email with its MP3 (F2) and
message-waiting NOTIFYs (F1).

The domain queues these jobs (``tenants.voicemail.notify`` names them); every
process that runs the job worker loads this module (``wsgi.py``, the media app).
Both read the current state when they run, so a retried job never sends stale
data: a message deleted in between is not emailed, MWI counts are those of now.
"""
from __future__ import annotations

import logging
import os

from rtp import mwi
from rtp.audio.files import read_wav
from rtp.audio.mp3 import encode_mp3
from tenants import jobs, mail
from tenants.config import load_settings
from tenants.models import Extension, Mailbox, Tenant
from tenants.voicemail import notify
from tenants.voicemail.models import VoiceMessage
from tenants.voicemail.service import mwi_counts

log = logging.getLogger(__name__)
NO_PHONE = (404, 408, 410, 480)  # nothing registered: nothing to light


@jobs.handler(notify.EMAIL_JOB)
def send_voicemail_email(payload: dict) -> None:
    message = (VoiceMessage.select(VoiceMessage, Mailbox, Extension, Tenant).join(Mailbox).join(Extension)
               .join(Tenant).where(VoiceMessage.id == payload["message_id"]).first())
    if message is None or message.folder == "deleted":
        log.info("voicemail %s gone before its email; not sent", payload["message_id"])
        return
    mailbox = message.mailbox
    ext, tenant = mailbox.extension, mailbox.extension.tenant
    if not mailbox.email:
        return
    lang = tenant.language
    subject, body = notify.email_text(lang, name=ext.name, number=ext.number,
                                      caller=notify.caller_label(message.caller_number, message.caller_name, lang),
                                      received_at=message.received_at, timezone=tenant.timezone,
                                      duration_ms=message.duration_ms)
    samples, rate = read_wav(load_settings().data_dir / message.path)
    email = mail.compose(mailbox.email, subject, body)
    stamp = message.received_at.strftime("%Y%m%d-%H%M%S")
    email.add_attachment(encode_mp3(samples, rate), maintype="audio", subtype="mpeg",
                         filename=f"message-{ext.number}-{stamp}.mp3")
    mail.deliver(email)


@jobs.handler(notify.MWI_JOB)
def send_mwi(payload: dict) -> None:
    ext = Extension.select(Extension, Tenant).join(Tenant).where(Extension.id == payload["extension_id"]).first()
    if ext is None:
        return
    settings = load_settings()
    proxy = (payload.get("proxy_host") or settings.sip_address, int(payload.get("proxy_port") or settings.sip_port))
    # Kamailio trusts NOTIFYs from the media apps' address only: send from it when set.
    bind = os.environ.get("POSTE_MEDIA_ADDRESS") or (proxy[0] if proxy[0].startswith("127.") else "0.0.0.0")
    status = mwi.send_notify(proxy, ext.number, ext.tenant.domain, mwi_counts(ext.id), bind=bind)
    if 200 <= status < 300 or status in NO_PHONE:
        return
    raise RuntimeError(f"MWI NOTIFY for {ext.number}@{ext.tenant.domain} answered {status}")
