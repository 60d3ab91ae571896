"""The recording path without the network: spool, rtp.dsp, atomic WAV, row, recovery rules."""
from __future__ import annotations

import json

import numpy as np
import peewee as pw
import pytest

from rtp.mediaapp import recorder as rec
from tenants.models import Mailbox
from tenants.voicemail import service
from tenants.voicemail.models import VoiceMessage
from tests import factories


@pytest.fixture
def meta(db):
    tenant = factories.tenant()
    ext = factories.extension(tenant, "2001", "Alice Martin")
    mailbox = Mailbox.get(Mailbox.extension == ext)
    return rec.Meta(recording_id=rec.Recorder.new_id(), mailbox_id=mailbox.id, number="2001",
                    domain=tenant.domain, caller_number="0611", caller_name="Bob", started_at="2026-03-01T10:00:00",
                    reason="busy", min_seconds=1, max_seconds=180)


def record(settings, meta, audio: np.ndarray) -> rec.Recorder:
    r = rec.Recorder(settings.data_dir / "spool", meta)
    pcm = (audio * 32767).astype(np.int16)
    for i in range(0, len(pcm), 160):
        r.feed(pcm[i:i + 160])
    return r


def test_spool_then_store_then_spool_removed(settings, meta, speech):
    audio = np.concatenate([np.zeros(8000, np.float32), speech, np.zeros(8000, np.float32)])
    r = record(settings, meta, audio)
    r.flush()
    assert (settings.data_dir / "spool" / f"{meta.recording_id}.pcm").stat().st_size == 2 * len(audio)
    assert json.loads((settings.data_dir / "spool" / f"{meta.recording_id}.json").read_text())["reason"] == "busy"
    result = r.finish()
    assert result.has_speech and result.speech_seconds < len(audio) / 8000
    message_id = rec.store(settings.data_dir, meta, result, cut=False)
    message = VoiceMessage.get_by_id(message_id)
    assert (settings.data_dir / message.path).exists() and message.reason == "busy"
    assert not list((settings.data_dir / "spool").iterdir())


def test_recovery_of_a_spool_without_audio_drops_it(settings, meta):
    r = rec.Recorder(settings.data_dir / "spool", meta)
    r.close()
    assert rec.recover(settings.data_dir) == [(meta.recording_id, None)]
    assert VoiceMessage.select().count() == 0 and not list((settings.data_dir / "spool").iterdir())


def test_a_busy_database_keeps_the_recording_spooled(settings, meta, speech, monkeypatch):
    r = record(settings, meta, speech)
    result = r.finish()
    calls = []

    def locked(*a, **k):
        calls.append(1)
        raise pw.OperationalError("database is locked")
    monkeypatch.setattr(service, "store_message", locked)
    with pytest.raises(pw.OperationalError):
        rec.store(settings.data_dir, meta, result, cut=False)
    assert len(calls) == 1  # no retry loop here: the media app retries from the spool
    assert (settings.data_dir / "spool" / f"{meta.recording_id}.json").exists()
    monkeypatch.undo()
    assert rec.recover_one(settings.data_dir, meta.recording_id) is not None  # stored once the database is back
    assert VoiceMessage.select().count() == 1


def test_recording_stops_at_the_maximum(settings, meta):
    meta.max_seconds = 1
    r = record(settings, meta, np.zeros(8000 * 3, np.float32))
    assert r.samples == 8000
