"""Recording one message: spool raw audio to disk while rtp.dsp analyses it, then store.

Crash safety (I1): every recording is spooled under ``$POSTE_DATA/spool`` as
``<id>.pcm`` (16-bit 8 kHz, appended as it arrives, flushed at least every 200 ms
and before a BYE is answered) next to ``<id>.json`` (who, for which mailbox,
when). ``store`` writes the WAV atomically (temp + rename) to its final,
deterministic path, creates the row and its jobs in one transaction (idempotent
on the id), and only then deletes the spool. ``recover`` runs at start-up over
what a killed process left: each spooled recording goes through the same path,
so a message is stored exactly once or not at all, and no half-written file is
ever visible.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from rtp.audio.files import write_wav_atomic
from rtp.dsp import Analyser, process
from tenants.voicemail import rules, service

log = logging.getLogger(__name__)
RATE = 8000
FLUSH_FRAMES = 10  # 200 ms


@dataclass
class Meta:
    recording_id: str
    mailbox_id: int
    number: str
    domain: str
    caller_number: str
    caller_name: str
    started_at: str  # ISO, naive UTC
    reason: str
    min_seconds: float
    max_seconds: float


@dataclass
class Result:
    audio: np.ndarray  # trimmed, normalized float32
    recorded_seconds: float
    speech_seconds: float

    @property
    def has_speech(self) -> bool:
        return self.audio.shape[0] > 0


class Recorder:
    def __init__(self, spool: Path, meta: Meta):
        self.spool, self.meta = spool, meta
        spool.mkdir(parents=True, exist_ok=True)
        self.pcm_path = spool / f"{meta.recording_id}.pcm"
        self.meta_path = spool / f"{meta.recording_id}.json"
        tmp = self.meta_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(meta)))
        os.replace(tmp, self.meta_path)
        self._fd = os.open(self.pcm_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        self._pending: list[bytes] = []
        self.analyser = Analyser(RATE)
        self.samples = 0
        self.limit = int(meta.max_seconds * RATE)
        self.result: Result | None = None
        self.stopped = False  # set on the event loop when the recording stops

    @staticmethod
    def new_id() -> str:
        return dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(6)

    def feed(self, pcm: np.ndarray) -> None:
        if self._fd < 0 or self.samples >= self.limit:
            return
        pcm = pcm[: self.limit - self.samples]
        self.samples += pcm.shape[0]
        self._pending.append(pcm.astype("<i2").tobytes())
        if len(self._pending) >= FLUSH_FRAMES:
            self.flush()
        self.analyser.feed(pcm.astype(np.float32) / np.float32(32768.0))

    def flush(self) -> None:
        if self._pending and self._fd >= 0:
            os.write(self._fd, b"".join(self._pending))
            self._pending.clear()

    def close(self) -> None:
        self.flush()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def finish(self) -> Result:
        """Stop recording; trim and normalize (rtp.dsp) what was fed."""
        self.close()
        out, start, end = self.analyser.finish()
        self.result = Result(out, self.samples / RATE, (end - start) / RATE)
        return self.result

    def discard(self) -> None:
        self.close()
        remove_spool(self.spool, self.meta.recording_id)


def remove_spool(spool: Path, recording_id: str) -> None:
    for suffix in (".pcm", ".json"):
        (spool / f"{recording_id}{suffix}").unlink(missing_ok=True)


def store(data_dir: Path, meta: Meta, result: Result, cut: bool) -> int | None:
    """WAV (atomic) -> row + jobs (one transaction) -> spool removed. Returns the message id, or None."""
    verdict = rules.judge_length(result.speech_seconds, result.recorded_seconds, meta.min_seconds,
                                 meta.max_seconds, result.has_speech)
    if not verdict.keep:
        log.info("recording %s not kept: %s", meta.recording_id, verdict.why)
        remove_spool(data_dir / "spool", meta.recording_id)
        return None
    rel = service.message_path(meta.domain, meta.number, meta.recording_id)
    target = data_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    write_wav_atomic(target, result.audio, RATE)
    # A busy database waits on SQLite's busy timeout (transactions begin IMMEDIATE); any other
    # failure raises, the spool keeps the recording, and the media app retries it from there.
    message = service.store_message(
        meta.mailbox_id, meta.recording_id, rel, duration_ms=int(round(result.audio.shape[0] * 1000 / RATE)),
        size_bytes=target.stat().st_size, caller_number=meta.caller_number, caller_name=meta.caller_name,
        received_at=dt.datetime.fromisoformat(meta.started_at), reason=meta.reason, cut=cut or verdict.cut)
    remove_spool(data_dir / "spool", meta.recording_id)
    return message.id


def recover_one(data_dir: Path, recording_id: str) -> int | None:
    """Store (or drop) one spooled recording; raise if it cannot be done now (it stays spooled)."""
    spool = data_dir / "spool"
    meta_path = spool / f"{recording_id}.json"
    try:
        meta = Meta(**json.loads(meta_path.read_text()))
    except FileNotFoundError:
        return None  # stored (or dropped) meanwhile
    except (ValueError, TypeError) as exc:
        raise ValueError(f"unreadable spool entry {meta_path.name}: {exc}") from exc
    pcm_path = spool / f"{meta.recording_id}.pcm"
    raw = pcm_path.read_bytes() if pcm_path.exists() else b""
    raw = raw[: len(raw) // 2 * 2]
    pcm = np.frombuffer(raw, dtype="<i2")[: int(meta.max_seconds * RATE)]
    out, start, end = process(pcm.astype(np.float32) / np.float32(32768.0), RATE)
    result = Result(out, pcm.shape[0] / RATE, (end - start) / RATE)
    return store(data_dir, meta, result, cut=pcm.shape[0] >= int(meta.max_seconds * RATE))


def recover(data_dir: Path) -> list[tuple[str, int | None]]:
    """Store (or drop) every recording a previous process left in the spool."""
    spool = data_dir / "spool"
    done: list[tuple[str, int | None]] = []
    if not spool.is_dir():
        return done
    for leftover in spool.glob("*.tmp"):
        leftover.unlink(missing_ok=True)
    for meta_path in sorted(spool.glob("*.json")):
        try:
            message_id = recover_one(data_dir, meta_path.stem)
        except Exception:
            log.exception("recovery of %s failed; kept for the next start", meta_path.stem)
            continue
        log.info("recovered recording %s -> message %s", meta_path.stem, message_id)
        done.append((meta_path.stem, message_id))
    # audio without its metadata cannot be addressed to a mailbox
    for orphan in spool.glob("*.pcm"):
        if not (spool / f"{orphan.stem}.json").exists():
            orphan.unlink(missing_ok=True)
    return done
