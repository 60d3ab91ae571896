"""``tenants.audio_port.Audio`` done here: uploads and browser recordings to stored WAV."""
from __future__ import annotations

from pathlib import Path

from tenants.audio_port import AudioRejectedError

from .errors import AudioUploadError
from .files import read_wav, write_wav_atomic
from .upload import GREETING_RATE, greeting_from_upload


class MediaAudio:
    def store(self, data: bytes, filename: str | None, target: Path) -> int:
        try:
            samples = greeting_from_upload(data, filename)
        except AudioUploadError as error:
            raise AudioRejectedError(str(error)) from None
        target.parent.mkdir(parents=True, exist_ok=True)
        write_wav_atomic(target, samples, GREETING_RATE)
        return int(round(samples.shape[0] * 1000 / GREETING_RATE))

    def copy(self, source: Path, target: Path) -> int:
        samples, rate = read_wav(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_wav_atomic(target, samples, rate)
        return int(round(samples.shape[0] * 1000 / rate))

    def speak(self, text: str, language: str, target: Path) -> int:
        from rtp.prompts.generate import render  # espeak-ng, only when asked

        try:
            samples = render(text, language if language in ("fr", "en") else "fr")
        except Exception:  # espeak-ng missing or failing
            raise AudioRejectedError("La voix de synthèse n'est pas disponible.") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        write_wav_atomic(target, samples, GREETING_RATE)
        return int(round(samples.shape[0] * 1000 / GREETING_RATE))
