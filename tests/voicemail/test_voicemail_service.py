"""Voicemail domain: migration, context for a call, atomic store with jobs, MWI, email with MP3."""
from __future__ import annotations

import datetime as dt
import socket
import threading
import wave

import numpy as np
import pytest

from rtp import notifications
from tenants import jobs
from tenants.models import Extension, Job, Mailbox, Tenant
from tenants.voicemail import notify, rules, service
from tenants.voicemail.models import MailboxSettings, VoicemailOptions, VoiceMessage
from tests import factories
from tests.mail_server import MailServer


@pytest.fixture
def ext(db, settings, monkeypatch):
    monkeypatch.setenv("POSTE_DATA", str(settings.data_dir))  # what the job worker reads
    tenant = factories.tenant()
    extension = factories.extension(tenant, "2001", "Alice Martin", email="alice@example.org")
    Job.delete().execute()  # the PIN email of the new extension is not under test here
    return extension


def write_wav(path, seconds=1.0, rate=8000):
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def store(ext, settings, rid="rec-1", when=None):
    rel = service.message_path("acme.pbx.example", "2001", rid)
    write_wav(settings.data_dir / rel)
    mailbox = Mailbox.get(Mailbox.extension == ext)
    return service.store_message(mailbox.id, rid, rel, 1000, 16044, "0612345678", "Bob", when or dt.datetime(
        2026, 3, 1, 13, 5), "noanswer")


def test_context_defaults_and_greetings(ext):
    ctx = service.load_context("2001", "ACME.pbx.example")
    assert ctx.number == "2001" and ctx.language == "fr" and ctx.max_seconds == 180
    assert ctx.greetings == rules.Greetings() and not ctx.capacity.full and ctx.reception is None
    mailbox = Mailbox.get(Mailbox.extension == ext)
    MailboxSettings.create(mailbox=mailbox, busy_path="vm/b.wav", name_path="vm/n.wav")
    VoicemailOptions.create(tenant=ext.tenant, reception="2000", max_messages=1)
    ctx = service.load_context("2001", "acme.pbx.example")
    assert rules.choose_greeting(ctx.greetings, "busy").path == "vm/b.wav"
    assert ctx.reception == "2000"
    assert service.load_context("2999", "acme.pbx.example") is None
    assert service.load_context("2001", "other.example") is None


def test_store_is_atomic_idempotent_and_queues_jobs(ext, settings):
    message = store(ext, settings)
    again = store(ext, settings)  # the same recording recovered after a crash
    assert again.id == message.id and VoiceMessage.select().count() == 1
    kinds = sorted(j.kind for j in Job.select())
    assert kinds == ["voicemail_email", "voicemail_mwi"]
    assert service.mwi_counts(ext.id) == rules.MwiCounts(1, 0)


def test_store_rolls_back_when_a_job_cannot_be_queued(ext, settings, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("queue down")
    monkeypatch.setattr(jobs, "enqueue", broken)
    with pytest.raises(RuntimeError):
        store(ext, settings)
    assert VoiceMessage.select().count() == 0


def test_full_mailbox(ext, settings):
    VoicemailOptions.create(tenant=ext.tenant, max_messages=2)
    store(ext, settings, "a")
    assert service.load_context("2001", "acme.pbx.example").capacity.nearly_full is False
    store(ext, settings, "b")
    assert service.load_context("2001", "acme.pbx.example").capacity.full
    VoiceMessage.update(folder="deleted").where(VoiceMessage.recording_id == "a").execute()
    assert not service.load_context("2001", "acme.pbx.example").capacity.full


def test_rules():
    assert rules.capacity(["new"] * 9 + ["deleted"] * 5, 10).nearly_full
    assert rules.mwi_counts(["new", "old", "work", "deleted", "new"]) == rules.MwiCounts(2, 2)
    assert rules.judge_length(0.5, 1.0, 1, 180, True).why == "too_short"
    assert rules.judge_length(3, 180, 1, 180, True).cut
    assert rules.judge_length(3, 4, 1, 180, False).why == "no_speech"
    assert rules.parse_mailbox_target("2001@ACME.pbx.example", None, None) == ("2001", "acme.pbx.example")
    assert rules.parse_mailbox_target(None, "vm-2001", "acme.pbx.example") == ("2001", "acme.pbx.example")
    assert rules.parse_mailbox_target(None, "2001", "acme.pbx.example") is None
    assert rules.normalize_reason("BUSY") == "busy" and rules.normalize_reason("x") == "unavailable"
    assert not rules.can_turn_off_temporary(rules.Greetings()) and rules.can_turn_off_temporary(
        rules.Greetings(unavailable="u.wav"))


def test_email_job_sends_french_text_with_mp3(ext, settings):
    server = MailServer().start()
    try:
        from tenants import mail
        mail.configure("127.0.0.1", server.port, "Poste <poste@localhost>")
        store(ext, settings)
        assert jobs.run_due() == 1  # the email; the MWI job is the media app's
        assert Job.select().where(Job.status == Job.DONE).count() == 1
        (email,) = server.wait_for(1)
        assert email["To"] == "alice@example.org"
        assert "Bob" in email["Subject"] and "2001" in email["Subject"]
        body = email.get_body(("plain",)).get_content()
        assert "le 1 mars 2026 à 14:05" in body  # Europe/Paris, by Babel
        assert "le 1 mars 2026 à 14:05</dd>" in email.get_body(("html",)).get_content()
        assert email.get_content_type() == "multipart/mixed"  # the text and HTML alternatives, then the MP3
        assert [p.get_content_type() for p in email.iter_parts()] == ["multipart/alternative", "audio/mpeg"]
        (attachment,) = list(email.iter_attachments())
        assert attachment.get_content_type() == "audio/mpeg"
        data = attachment.get_content()
        assert data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0)  # MP3 frame sync
    finally:
        server.stop()


def test_email_not_sent_for_a_deleted_message(ext, settings, smtp):
    kept, deleted = store(ext, settings, "rec-kept"), store(ext, settings, "rec-deleted")
    VoiceMessage.update(folder="deleted").where(VoiceMessage.id == deleted.id).execute()
    notifications.send_voicemail_email({"message_id": deleted.id})
    notifications.send_voicemail_email({"message_id": kept.id})  # the same path, delivered: the server works
    (email,) = smtp.wait_for(1)
    assert len(smtp.messages) == 1 and "2001" in email["Subject"]


class FakeProxy(threading.Thread):
    """Answers NOTIFYs with ``status`` and keeps their bodies."""

    def __init__(self, status=200, ignore_first=0):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.status, self.ignore = status, ignore_first
        self.received = []

    @property
    def addr(self):
        return self.sock.getsockname()

    def run(self):
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            self.received.append(data)
            if len(self.received) <= self.ignore:
                continue
            head = data.split(b"\r\n\r\n")[0].decode().split("\r\n")
            keep = [h for h in head[1:] if h.split(":")[0] in ("Via", "From", "To", "Call-ID", "CSeq")]
            reply = f"SIP/2.0 {self.status} X\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n"
            self.sock.sendto(reply.encode(), addr)


async def run_mwi_job(ext_id: int, proxy, secret: str | None = "s3cret") -> None:
    """The media app's MWI job, run as the media app runs it: a stack of its own, the jobs thread."""
    import asyncio

    from rtp.mediaapp.mwi_jobs import MwiJobs
    from rtp.sip.stack import SipStack

    stack = SipStack(None, "127.0.0.1", 0, trusted=[f"127.0.0.1:{proxy.addr[1]}"], t1=0.05, secret=secret)
    await stack.start()
    sender = MwiJobs(stack, proxy.addr)
    sender.loop = asyncio.get_running_loop()
    try:
        await sender.loop.run_in_executor(sender.pool, sender.run_job, {"extension_id": ext_id})
    finally:
        await sender.close()
        await stack.close()


def test_mwi_job_retransmits_counts_now_and_carries_the_secret(ext, settings):
    import asyncio

    proxy = FakeProxy(ignore_first=1)
    proxy.start()
    store(ext, settings)
    asyncio.run(run_mwi_job(ext.id, proxy))
    assert len(proxy.received) == 2  # the first one went unanswered: retransmitted (timer E)
    text = proxy.received[-1].decode()
    assert text.startswith("NOTIFY sip:2001@acme.pbx.example SIP/2.0")
    assert "Event: message-summary" in text and "Messages-Waiting: yes" in text and "Voice-Message: 1/0" in text
    assert "X-Poste-Secret: s3cret" in text
    proxy.sock.close()


def test_mwi_job_accepts_no_registered_phone_and_fails_on_an_error(ext, settings):
    import asyncio

    for status, fails in ((480, False), (500, True)):
        proxy = FakeProxy(status=status)
        proxy.start()
        if fails:
            with pytest.raises(RuntimeError, match="answered 500"):
                asyncio.run(run_mwi_job(ext.id, proxy))
        else:
            asyncio.run(run_mwi_job(ext.id, proxy))
        assert b"Voice-Message: 0/0" in proxy.received[-1]
        proxy.sock.close()


def test_mwi_jobs_are_the_media_apps_not_the_workers(ext, settings):
    store(ext, settings)
    assert Job.select().where(Job.kind == notify.MWI_JOB).count() == 1
    Job.update(status=Job.DONE).where(Job.kind == notify.EMAIL_JOB).execute()
    assert jobs.run_due() == 0  # the worker leaves it: it must leave from the media app's socket
    assert jobs.kinds_of(jobs.MEDIA) == {notify.MWI_JOB}


def test_email_text_english(ext, settings):
    Tenant.update(language="en", timezone="America/New_York").where(Tenant.id == ext.tenant_id).execute()
    stored = store(ext, settings, when=dt.datetime(2026, 1, 2, 18, 0))
    VoiceMessage.update(duration_ms=65000).where(VoiceMessage.id == stored.id).execute()
    message = (VoiceMessage.select(VoiceMessage, Mailbox, Extension, Tenant).join(Mailbox).join(Extension)
               .join(Tenant).where(VoiceMessage.id == stored.id).get())
    subject, body, html = notify.message_email(message)
    assert subject == "New voice message from Bob <0612345678> (extension 2001)"
    body = body.replace("\u202f", " ")  # Babel's English data: a narrow no-break space before PM
    assert "Received: January 2, 2026 at 1:00 PM\n" in body and "Length:   1 min 5 sec\n" in body
    assert "<title>New voice message from Bob &lt;0612345678&gt; (extension 2001)</title>" in html
