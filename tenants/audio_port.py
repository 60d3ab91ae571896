"""Audio the domain and the console need made, done by the media plane (``rtp/audio``, ``rtp/dsp``).

``tenants/`` and ``console/`` import nothing of ``rtp/``: the composition root
(``wiring.compose``) installs ``rtp.audio.port.MediaAudio`` here. The portal (issue 17) turns a
greeting or a voice message recorded in the browser, or uploaded in any common format, into
the stored 8 kHz WAV through it: decoded, trimmed and normalized like a recording by phone.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol


class AudioRejectedError(ValueError):
    """What was sent cannot become audio here; ``str(error)`` is a French sentence for the user."""


class Audio(Protocol):
    def store(self, data: bytes, filename: str | None, target: Path) -> int:
        """Decode ``data`` (WAV, MP3, OGG, FLAC, M4A, WebM...), trim and normalize it and write
        ``target`` (WAV 8 kHz mono 16-bit) atomically; return its length in ms. Raises
        ``AudioRejectedError`` and writes nothing when it is not usable audio."""

    def copy(self, source: Path, target: Path) -> int:
        """Copy a stored WAV to ``target`` atomically; return its length in ms."""

    def speak(self, text: str, language: str, target: Path) -> int:
        """``text`` spoken by the prompt generator (espeak-ng), as the media app says a typed
        greeting, written to ``target`` (WAV 8 kHz); its length in ms (issue 16: the preview)."""


class NoAudio:
    def store(self, data: bytes, filename: str | None, target: Path) -> int:
        raise AudioRejectedError("Le traitement audio n'est pas disponible.")

    def copy(self, source: Path, target: Path) -> int:
        raise AudioRejectedError("Le traitement audio n'est pas disponible.")

    def speak(self, text: str, language: str, target: Path) -> int:
        raise AudioRejectedError("Le traitement audio n'est pas disponible.")


_installed: list[Audio] = [NoAudio()]


def install(audio: Audio) -> Audio:
    """Make ``audio`` the one this process uses; return the one it replaces."""
    previous, _installed[0] = _installed[0], audio
    return previous


def audio() -> Audio:
    return _installed[0]
