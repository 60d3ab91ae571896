"""End to end, without Kamailio: a test caller leaves messages on the media app process."""
from __future__ import annotations

import asyncio
import time

import numpy as np
import soundfile as sf

from rtp.dsp import integrated_loudness
from tenants import jobs
from tenants.models import Job, Mailbox
from tenants.voicemail import notify  # noqa: F401 - declares the voicemail job kinds
from tenants.voicemail.models import VoicemailOptions, VoiceMessage
from tests.mail_server import MailServer
from tests.media.caller import TEST_MEDIA_SECRET, Caller
from tests.media.conftest import wait_until


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 90))


def messages():
    return list(VoiceMessage.select().order_by(VoiceMessage.id))


def leave(media, speech, *, press_hash_then=None, hang_up=True):
    async def main():
        caller = await (Caller(("127.0.0.1", media.port))).open()
        ok = await caller.invite()
        assert ok.status == 200, ok.status
        await caller.silence(0.3)
        await caller.key("#")  # skip the greeting
        await caller.silence(1.0)  # the beep plays meanwhile
        await caller.send_audio(speech)
        await caller.silence(0.5)
        bye_at = None
        if press_hash_then:
            await caller.key("#")
            await caller.silence(0.5)
            await caller.key(press_hash_then)
            await caller.wait_bye(30)
        elif hang_up:
            answer = await caller.bye()
            assert answer.status == 200
            bye_at = time.monotonic()
        audio = caller.received_audio()
        caller.close()
        return bye_at, audio
    return run(main())


def test_message_left_by_hanging_up(media, speech, settings, mailbox_ext):
    bye_at, heard = leave(media, speech)
    (message,) = wait_until(messages, 10, "message row")
    latency = time.monotonic() - bye_at
    print(f"message row {latency * 1000:.0f} ms after the BYE was answered")
    assert message.mailbox.extension_id == mailbox_ext.id
    assert message.caller_number == "0612345678" and message.caller_name == "Bob Dupont"
    assert message.reason == "noanswer" and message.folder == "new" and not message.cut
    # the WAV: 8 kHz 16-bit, trimmed (shorter than what was sent), normalized, never clipped
    info = sf.info(str(settings.data_dir / message.path))
    assert (info.samplerate, info.subtype, info.channels) == (8000, "PCM_16", 1)
    samples, _ = sf.read(str(settings.data_dir / message.path), dtype="float32")
    sent_seconds = 1.0 + len(speech) / 8000 + 0.5
    assert len(speech) / 8000 * 0.8 < len(samples) / 8000 < sent_seconds - 0.5
    assert abs(integrated_loudness(samples, 8000) - (-20.0)) < 1.5
    assert np.max(np.abs(samples)) <= 10 ** (-1 / 20) + 1e-4
    assert abs(message.duration_ms - len(samples) / 8) <= 1
    # the caller heard something: the beep at least
    assert heard.shape[0] > 8000 * 0.5 and np.max(np.abs(heard)) > 0.05
    kinds = sorted(j.kind for j in Job.select().where(Job.kind.startswith("voicemail")))
    assert kinds == ["voicemail_email", "voicemail_mwi"]
    assert not list((settings.data_dir / "spool").glob("*"))


def test_email_with_mp3_after_a_call(media, speech, settings, monkeypatch):
    monkeypatch.setenv("POSTE_DATA", str(settings.data_dir))
    server = MailServer().start()
    try:
        from tenants import mail
        mail.configure("127.0.0.1", server.port, "Poste <poste@localhost>")
        leave(media, speech)
        wait_until(messages, 10, "message row")
        Job.delete().where(Job.kind.in_(["pin_email", "voicemail_mwi"])).execute()
        assert jobs.run_due() == 1
        assert [(j.kind, j.status, j.last_error) for j in Job.select()] == [("voicemail_email", "done", None)]
        (email,) = server.wait_for(1)
        assert "0612345678" in email["Subject"] or "Bob" in email["Subject"]
        (mp3,) = list(email.iter_attachments())
        data = mp3.get_content()
        path = settings.data_dir / "check.mp3"
        path.write_bytes(data)
        decoded, rate = sf.read(str(path))  # libsndfile >= 1.1 reads MP3: it is a valid one
        assert rate == 8000 and len(decoded) > 8000
    finally:
        server.stop()


def test_hash_then_1_accepts_and_the_app_hangs_up(media, speech):
    leave(media, speech, press_hash_then="1")
    (message,) = wait_until(messages, 10, "message row")
    assert message.duration_ms > 1000


def test_hash_then_3_then_hang_up_keeps_only_the_second_take(media, speech):
    async def main():
        caller = await Caller(("127.0.0.1", media.port)).open()
        assert (await caller.invite()).status == 200
        await caller.key("#")
        await caller.silence(1.0)
        await caller.send_audio(speech)
        await caller.key("#")
        await caller.silence(0.5)
        await caller.key("3")  # record again: the first take is discarded
        await caller.silence(1.0)
        await caller.send_audio(speech[: len(speech) // 2])
        await caller.silence(0.4)
        await caller.bye()
        caller.close()
    run(main())
    (message,) = wait_until(messages, 10, "message row")
    assert message.duration_ms < len(speech) / 8 * 0.8


def test_silence_only_is_not_kept(media, settings):
    async def main():
        caller = await Caller(("127.0.0.1", media.port)).open()
        assert (await caller.invite()).status == 200
        await caller.key("#")
        await caller.silence(3.0)
        await caller.bye()
        caller.close()
    run(main())
    wait_until(lambda: "not kept" in media.output(), 10, "the verdict in the log")
    # the spool file goes right after the verdict is logged: wait for it rather than race it
    wait_until(lambda: not list((settings.data_dir / "spool").glob("*")), 10, "the spool emptied")
    assert messages() == []


def test_full_mailbox_records_nothing(media, mailbox_ext):
    VoicemailOptions.create(tenant=mailbox_ext.tenant, max_messages=0)

    async def main():
        caller = await Caller(("127.0.0.1", media.port)).open()
        assert (await caller.invite()).status == 200
        await caller.wait_bye(30)  # "mailbox full", goodbye, and the app hangs up
        heard = caller.received_audio()
        caller.close()
        return heard
    heard = run(main())
    assert np.max(np.abs(heard)) > 0.05
    assert messages() == []


def test_unknown_mailbox_and_bad_offer(media):
    async def main():
        caller = await Caller(("127.0.0.1", media.port), mailbox="2999@acme.pbx.example").open()
        assert (await caller.invite()).status == 404
        caller.close()
        caller = await Caller(("127.0.0.1", media.port), mailbox=None,
                              ruri=f"sip:vm-2001@acme.pbx.example:{media.port}").open()
        assert (await caller.invite()).status == 200  # the Request-URI form of the contract
        await caller.bye()
        caller.close()
    run(main())


def test_killed_mid_recording_is_recovered_at_restart(media, speech, settings):
    async def main():
        caller = await Caller(("127.0.0.1", media.port)).open()
        assert (await caller.invite()).status == 200
        await caller.key("#")
        await caller.silence(1.0)
        await caller.send_audio(speech)
        await caller.silence(0.5)  # past the spool's flush interval
        media.kill()  # SIGKILL while recording
        caller.close()
    run(main())
    assert messages() == []
    assert not list((settings.data_dir / "voicemail").rglob("*.wav")) if (settings.data_dir / "voicemail").exists() \
        else True
    assert list((settings.data_dir / "spool").glob("*.pcm"))
    media.start()  # recovery runs before the app takes calls
    (message,) = wait_until(messages, 10, "recovered message")
    samples, rate = sf.read(str(settings.data_dir / message.path), dtype="float32")
    assert rate == 8000 and len(samples) / 8000 > len(speech) / 8000 * 0.8
    assert not list((settings.data_dir / "spool").glob("*"))
    assert not list((settings.data_dir / "voicemail").rglob("*.tmp"))


def test_killed_right_after_bye_answered_stores_exactly_once(media, speech, settings):
    async def main():
        caller = await Caller(("127.0.0.1", media.port)).open()
        assert (await caller.invite()).status == 200
        await caller.key("#")
        await caller.silence(1.0)
        await caller.send_audio(speech)
        assert (await caller.bye()).status == 200
        media.kill()
        caller.close()
    run(main())
    media.start()
    (message,) = wait_until(messages, 10, "message row")
    assert Mailbox.select().count() == 1
    wait_until(lambda: not list((settings.data_dir / "spool").glob("*")), 5, "empty spool")
    assert VoiceMessage.select().count() == 1


def test_subscribe_to_message_summary_is_answered_with_a_notify(media, speech):
    leave(media, speech)
    wait_until(messages, 10, "message row")

    async def main():
        from tests.media.sipclient import Peer, request
        peer = await Peer.open()
        peer.send(request("SUBSCRIBE", peer.addr, call_id="sub-1", ruri="sip:2001@acme.pbx.example",
                          extra="Event: message-summary\r\nExpires: 600\r\nAccept: application/simple-message-summary\r\n"
                          f"X-Poste-Secret: {TEST_MEDIA_SECRET}\r\n"),
                  ("127.0.0.1", media.port))
        ok = await peer.expect(200, timeout=5)
        assert ok.get("Expires") == "600" and ok.to_tag
        first = await peer.expect("NOTIFY", timeout=5)
        assert first.call_id == "sub-1" and first.from_tag == ok.to_tag
        assert first.get("Event") == "message-summary"
        assert b"Messages-Waiting: yes" in first.body and b"Voice-Message: 1/0" in first.body
        lines = [f"{k}: {v}" for k, v in first.headers if k in ("Via", "From", "To", "Call-ID", "CSeq")]
        peer.send("SIP/2.0 200 OK\r\n" + "\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n", ("127.0.0.1", media.port))
        peer.send(request("SUBSCRIBE", peer.addr, call_id="sub-2", ruri="sip:2001@acme.pbx.example",
                          extra=f"Event: presence\r\nX-Poste-Secret: {TEST_MEDIA_SECRET}\r\n"), ("127.0.0.1", media.port))
        await peer.expect(489, timeout=5)
        peer.close()
    run(main())


def test_mailbox_access_goes_straight_to_the_login(media, settings):
    async def main():
        caller = await Caller(("127.0.0.1", media.port), mailbox=None, ruri=f"sip:voicemail@acme.pbx.example:{media.port}",
                              service="access").open()
        assert (await caller.invite()).status == 200
        await caller.silence(2.0)  # "entrez votre code secret..."
        heard = caller.received_audio()
        await caller.bye()
        caller.close()
        return heard
    heard = run(main())
    assert np.max(np.abs(heard)) > 0.05
    wait_until(lambda: not list((settings.data_dir / "spool").glob("*")), 5, "no recording")
    assert messages() == []
