"""Render every prompt segment with espeak-ng to 8 kHz 16-bit WAV under $POSTE_DATA/prompts.

``generate_prompts(data_dir)`` is run at setup (``python -m rtp.prompts``); it only
renders segments whose text or voice changed (``manifest.json``), so running it again
is cheap. An MBROLA French voice is used when installed (``mbrola`` + ``mbrola-fr4``),
else espeak-ng's own voice. Each segment goes through rtp.dsp (trim with a short pad,
loudness -20 LUFS, peak -1 dBFS), so every prompt plays at the same level.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from rtp.audio.files import write_wav_atomic
from rtp.dsp import process
from rtp.prompts.texts import all_keys, segment_text

log = logging.getLogger(__name__)
RATE = 8000
LANGUAGES = ("fr", "en")
VOICES = {"fr": [("mb-fr4", Path("/usr/share/mbrola/fr4")), ("fr-fr", None)],
          "en": [("mb-en1", Path("/usr/share/mbrola/en1")), ("en-gb", None)]}
SPEED = {"fr": 150, "en": 155}


def voice_for(language: str) -> str:
    for voice, needs in VOICES[language]:
        if needs is None or (needs.exists() and shutil.which("mbrola")):
            return voice
    return language


def render(text: str, language: str, voice: str | None = None) -> np.ndarray:
    """espeak-ng speech for ``text`` as float32 at 8 kHz, trimmed and normalized."""
    voice = voice or voice_for(language)
    out = subprocess.run(["espeak-ng", "-v", voice, "-s", str(SPEED[language]), "--stdout", text],
                         check=True, capture_output=True, timeout=60).stdout
    samples, rate = sf.read(io.BytesIO(out), dtype="float32", always_2d=True)
    x = samples[:, 0]
    if rate != RATE:
        from math import gcd
        g = gcd(RATE, rate)
        x = resample_poly(x, RATE // g, rate // g).astype(np.float32)
    processed, _start, _end = process(x, RATE, target_lufs=-20.0, ceil_dbfs=-1.0, pad_s=0.05)
    if processed.shape[0] == 0:  # too short for the speech detector (a one-syllable word): peak-normalize
        peak = float(np.max(np.abs(x))) or 1.0
        processed = (x * (0.5 / peak)).astype(np.float32)
    return processed


def beep(seconds: float = 0.4, freq: float = 1000.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    tone = 0.35 * np.sin(2 * np.pi * freq * t)
    ramp = int(0.01 * RATE)
    envelope = np.ones_like(tone)
    envelope[:ramp] = np.linspace(0, 1, ramp)
    envelope[-ramp:] = np.linspace(1, 0, ramp)
    return (tone * envelope).astype(np.float32)


def generate_prompts(data_dir: str | Path, languages=LANGUAGES, force: bool = False, workers: int = 2) -> int:
    """Render missing or changed segments; return how many files were written."""
    root = Path(data_dir) / "prompts"
    written = 0
    for lang in languages:
        folder = root / lang
        folder.mkdir(parents=True, exist_ok=True)
        manifest_path = folder / "manifest.json"
        manifest = {} if force or not manifest_path.exists() else json.loads(manifest_path.read_text())
        voice = voice_for(lang)
        todo = []
        for key in all_keys():
            text = segment_text(key, lang)
            digest = hashlib.sha256(f"{voice}|{SPEED[lang]}|{text}".encode()).hexdigest()[:16]
            if manifest.get(key) != digest or not (folder / f"{key}.wav").exists():
                todo.append((key, text, digest))

        def one(item, folder=folder, lang=lang, voice=voice):
            key, text, digest = item
            write_wav_atomic(folder / f"{key}.wav", render(text, lang, voice), RATE)
            return key, digest

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for key, digest in pool.map(one, todo):
                manifest[key] = digest
                written += 1
        if not (folder / "beep.wav").exists() or force:
            write_wav_atomic(folder / "beep.wav", beep(), RATE)
            written += 1
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
        tmp.replace(manifest_path)
        log.info("prompts %s: %d rendered with voice %s", lang, len(todo), voice)
    return written
