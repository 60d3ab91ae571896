"""Deterministic test corpus for the recording-path DSP, with ground truth.

Real speech from espeak-ng (French and English, several voices and speeds), resampled
by soxr and band-limited (300-3400 Hz at 8 kHz, 80-7000 Hz for 16/48 kHz browser
recordings), placed at a peak level between -35 and -6 dBFS after 0-5 s of lead
silence and before 0-5 s of trail silence.  The silences hold band-limited noise
(-60 to -40 dBFS, kept at least 15 dB under the speech RMS so that the speech stays
intelligible), often 50 Hz hum, clicks and breaths, sometimes a DC offset; part of
the 8 kHz messages go through G.711 mu-law.  Ground truth: the first and last sample
of the clean speech whose magnitude is within 40 dB of its peak.

Everything derives from fixed seeds.  espeak-ng output can be cached under
``bench/.corpus/`` (git-ignored); with ``cache_dir=None`` (the tests) it is spoken
afresh.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from scipy.signal import butter, sosfilt

from rtp.audio.g711 import ulaw_roundtrip

CACHE_DIR = Path(__file__).resolve().parent / ".corpus"
GT_THRESHOLD_DB = -40.0

SENTENCES = {
    "fr": [
        "Bonjour, c'est Marie, je voulais savoir si tu étais libre demain soir.",
        "Bonjour monsieur, je vous appelle au sujet de votre commande numéro quatre cent douze.",
        "Salut, rappelle-moi quand tu as deux minutes, c'est assez urgent.",
        "Vous êtes bien sur la messagerie du cabinet Dupont. Laissez votre message après le bip.",
        "Le rendez-vous de jeudi est déplacé à quinze heures trente.",
        "Je serai en retard d'environ vingt minutes, il y a des bouchons sur le périphérique.",
        "Ici le service client, votre dossier a bien été traité.",
        "Pourriez-vous me renvoyer le devis signé avant la fin de la semaine?",
        "Chut, fais attention, les enfants dorment déjà.",
        "Six cent soixante-six saucissons sèchent sous six soleils.",
        "Merci de votre appel, nous vous recontacterons dans les plus brefs délais.",
        "Hervé a oublié ses clés chez Sophie, il passera les chercher vers huit heures.",
    ],
    "en": [
        "Hi, it's John, just checking whether we are still on for lunch tomorrow.",
        "Hello, this is a message for Doctor Smith regarding the test results.",
        "Sorry I missed your call, I will try again later this afternoon.",
        "You have reached the sales department. Please leave your name and number.",
        "Several students said the schedule changed on Thursday.",
        "The delivery will arrive between nine and eleven in the morning.",
        "Hey, can you pick up some milk and bread on your way home?",
        "This is a reminder that your appointment is on the fourteenth at half past two.",
        "Fine, thanks. Have a nice weekend and see you on Monday.",
        "Please call me back as soon as possible, it is about the contract.",
        "Happy birthday! We hope you have a wonderful day.",
        "She sells sea shells by the sea shore.",
    ],
}
VOICES = {"fr": ["fr", "fr+f2", "fr+m3", "fr+f4"], "en": ["en", "en-us", "en+f3", "en-us+m2"]}


@dataclass
class Message:
    """One recording and its ground truth (``speech`` is None when there is none)."""

    name: str
    samples: np.ndarray  # float32, int16 grid
    rate: int
    speech: tuple[int, int] | None
    hard: bool = False

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return self.samples.shape[0] / self.rate


def speak(text: str, voice: str, speed: int, pitch: int, cache_dir: Path | None) -> tuple[np.ndarray, int]:
    """espeak-ng speech as float64 samples and its rate, cached in ``cache_dir`` if given."""
    key = hashlib.sha256(f"{voice}|{speed}|{pitch}|{text}".encode()).hexdigest()[:20]
    path = cache_dir / f"{key}.wav" if cache_dir is not None else None
    if path is not None and path.exists():
        data = path.read_bytes()
    else:
        data = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
                              check=True, capture_output=True).stdout
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
    x, rate = sf.read(io.BytesIO(data), dtype="float64")
    return x, rate


def band(rate: int) -> np.ndarray:
    """Band-limiting filter: telephone band at 8 kHz, wide band above."""
    lo, hi = (300.0, 3400.0) if rate <= 8000 else (80.0, 7000.0)
    return butter(4, [lo, hi], btype="bandpass", fs=rate, output="sos")


def _utterance(rng: np.random.Generator, rate: int, cache_dir: Path | None, lang: str | None = None) -> np.ndarray:
    lang = lang or ("fr" if rng.random() < 0.5 else "en")
    text = SENTENCES[lang][rng.integers(len(SENTENCES[lang]))]
    voice = VOICES[lang][rng.integers(len(VOICES[lang]))]
    # a few discrete speeds/pitches keep the espeak cache small
    speed = int(rng.choice([140, 165, 190]))
    pitch = int(rng.choice([35, 50, 65]))
    x, src = speak(text, voice, speed, pitch, cache_dir)
    y = soxr.resample(x, src, rate)
    return sosfilt(band(rate), y)


def ground_truth(speech: np.ndarray) -> tuple[int, int] | None:
    """First and last+1 index where ``|speech|`` is within 40 dB of its peak."""
    peak = np.max(np.abs(speech)) if speech.size else 0.0
    if peak <= 0:
        return None
    idx = np.flatnonzero(np.abs(speech) >= peak * 10 ** (GT_THRESHOLD_DB / 20))
    return int(idx[0]), int(idx[-1]) + 1


def speech_track(rng: np.random.Generator, rate: int, utterances: int, cache_dir: Path | None,
                 pause: tuple[float, float] = (0.3, 1.2)) -> np.ndarray:
    """Several utterances joined by pauses (pauses inside a message are kept by the trimmer)."""
    parts = []
    for i in range(utterances):
        u = _utterance(rng, rate, cache_dir)
        span = ground_truth(u)
        if span is None:
            continue
        parts.append(u[span[0]:span[1]])
        if i < utterances - 1:
            parts.append(np.zeros(int(rng.uniform(*pause) * rate)))
    return np.concatenate(parts)


def _noise(rng: np.random.Generator, n: int, rate: int, rms_db: float) -> np.ndarray:
    x = sosfilt(band(rate), rng.standard_normal(n))
    return x * (10 ** (rms_db / 20) / max(np.sqrt(np.mean(x * x)), 1e-12))


def _hum(rng: np.random.Generator, n: int, rate: int, rms_db: float) -> np.ndarray:
    t = np.arange(n) / rate
    phase = rng.uniform(0, 2 * np.pi, 3)
    x = np.sin(2 * np.pi * 50 * t + phase[0]) + 0.5 * np.sin(2 * np.pi * 150 * t + phase[1]) \
        + 0.25 * np.sin(2 * np.pi * 250 * t + phase[2])
    return x * (10 ** (rms_db / 20) / np.sqrt(np.mean(x * x)))


def _click(rng: np.random.Generator, rate: int, amp: float) -> np.ndarray:
    n = max(4, int(0.003 * rate))
    return amp * np.exp(-np.arange(n) / (0.0005 * rate)) * rng.choice([-1.0, 1.0]) * np.cos(
        2 * np.pi * rng.uniform(500, 3000) * np.arange(n) / rate)


def _breath(rng: np.random.Generator, rate: int, rms: float) -> np.ndarray:
    n = int(rng.uniform(0.25, 0.5) * rate)
    sos = butter(2, [400.0, min(2500.0, 0.45 * rate)], btype="bandpass", fs=rate, output="sos")
    x = sosfilt(sos, rng.standard_normal(n)) * np.hanning(n)
    return x * (rms / max(np.sqrt(np.mean(x * x)), 1e-12))


def _place_in_silence(rng: np.random.Generator, sig: np.ndarray, event: np.ndarray,
                      silences: list[tuple[int, int]], guard: int) -> None:
    spans = [(a, b - guard - event.shape[0]) for a, b in silences if b - guard - event.shape[0] > a]
    if not spans:
        return
    a, b = spans[rng.integers(len(spans))]
    at = int(rng.integers(a, b))
    sig[at:at + event.shape[0]] += event


def _finish(x: np.ndarray) -> np.ndarray:
    """Quantize to the int16 grid, as every recording is."""
    return (np.clip(np.round(x * 32768.0), -32768, 32767) / 32768.0).astype(np.float32)


def make_message(seed: int, rate: int = 8000, cache_dir: Path | None = CACHE_DIR,
                 utterances: int | None = None, lead: float | None = None, trail: float | None = None,
                 peak_db: float | None = None) -> Message:
    """One noisy message with ground truth, fully determined by ``seed`` (and overrides)."""
    rng = np.random.default_rng(seed)
    n_utt = utterances if utterances is not None else int(rng.integers(1, 11))
    speech = speech_track(rng, rate, n_utt, cache_dir)
    peak_db = peak_db if peak_db is not None else rng.uniform(-35.0, -6.0)
    speech *= 10 ** (peak_db / 20) / np.max(np.abs(speech))
    lead_n = int((lead if lead is not None else rng.uniform(0, 5)) * rate)
    trail_n = int((trail if trail is not None else rng.uniform(0, 5)) * rate)
    n = lead_n + speech.shape[0] + trail_n
    sig = np.zeros(n)
    sig[lead_n:lead_n + speech.shape[0]] = speech
    gt = ground_truth(speech)
    gt = (gt[0] + lead_n, gt[1] + lead_n)
    speech_rms_db = 10 * np.log10(np.mean(speech[speech != 0] ** 2))
    ceiling = speech_rms_db - 15.0
    sig += _noise(rng, n, rate, min(rng.uniform(-60, -40), ceiling))
    if rng.random() < 0.5:
        sig += _hum(rng, n, rate, min(rng.uniform(-60, -40), ceiling))
    silences = [(0, gt[0]), (gt[1], n)]
    guard = int(0.3 * rate)
    for _ in range(int(rng.integers(0, 3))):
        _place_in_silence(rng, sig, _click(rng, rate, 10 ** (rng.uniform(-30, -6) / 20)), silences, guard)
    if rng.random() < 0.4:
        breath_rms = 10 ** ((speech_rms_db - rng.uniform(8, 18)) / 20)
        _place_in_silence(rng, sig, _breath(rng, rate, breath_rms), silences, guard)
    if rng.random() < 0.15:
        sig += rng.uniform(0.01, 0.1) * rng.choice([-1.0, 1.0])
    x = _finish(sig)
    if rate == 8000 and rng.random() < 0.4:
        x = ulaw_roundtrip(x)
    return Message(f"msg{seed}@{rate}", x, rate, gt)


def messages(count: int, seed: int = 5, cache_dir: Path | None = CACHE_DIR) -> list[Message]:
    """``count`` messages: 80 % at 8 kHz, 12 % at 16 kHz, 8 % at 48 kHz."""
    rng = np.random.default_rng(seed)
    rates = rng.choice([8000, 16000, 48000], size=count, p=[0.8, 0.12, 0.08])
    return [make_message(seed * 100000 + i, int(r), cache_dir) for i, r in enumerate(rates)]


def hard_cases(seed: int = 7, cache_dir: Path | None = CACHE_DIR, long_minutes: float = 30.0) -> list[Message]:
    """The edge cases; ``speech`` None means the expected result is empty."""
    rng = np.random.default_rng(seed)
    rate = 8000
    cases = [
        Message("empty", np.zeros(0, np.float32), rate, None, True),
        Message("one_sample", np.array([0.5], np.float32), rate, None, True),
        Message("digital_silence", np.zeros(5 * rate, np.float32), rate, None, True),
        Message("pure_noise", _finish(_noise(rng, 5 * rate, rate, -40.0)), rate, None, True),
        Message("loud_white_noise", _finish(rng.standard_normal(5 * rate) * 0.1), rate, None, True),
    ]
    short = make_message(seed + 1, rate, cache_dir, utterances=1, lead=0.0, trail=0.0)
    cases.append(Message("too_short", short.samples[short.speech[0]:short.speech[0] + int(0.05 * rate)].copy(),
                         rate, None, True))
    m = make_message(seed + 2, rate, cache_dir, utterances=2, lead=1.5, trail=1.5, peak_db=-6.0)
    cases.append(Message("clipped_speech", _finish(np.clip(m.samples * 6.0, -1.0, 1.0)), rate, m.speech, True))
    m = make_message(seed + 3, rate, cache_dir, utterances=2, lead=2.0, trail=2.0, peak_db=-12.0)
    cases.append(Message("dc_offset", _finish(m.samples + 0.25), rate, m.speech, True))
    t = np.arange(3 * rate) / rate
    square = np.where(np.sin(2 * np.pi * 440 * t) >= 0, 1.0, -1.0)
    cases.append(Message("full_scale_square", _finish(square), rate, (0, square.shape[0]), True))
    m = make_message(seed + 4, rate, cache_dir, utterances=3, lead=0.0, trail=0.0, peak_db=-10.0)
    cases.append(Message("no_silence", m.samples, rate, m.speech, True))
    if long_minutes > 0:
        cases.append(long_recording(seed + 5, rate, long_minutes, cache_dir))
    return cases


def long_recording(seed: int, rate: int, minutes: float, cache_dir: Path | None) -> Message:
    """A ``minutes``-long recording: speech with pauses, noisy lead and trail."""
    rng = np.random.default_rng(seed)
    parts, total = [], 0
    while total < minutes * 60 * rate - 6 * rate:
        seg = speech_track(rng, rate, 1, cache_dir)
        parts += [seg, np.zeros(int(rng.uniform(0.3, 1.5) * rate))]
        total += seg.shape[0] + parts[-1].shape[0]
    speech = np.concatenate(parts[:-1])
    speech *= 10 ** (-12 / 20) / np.max(np.abs(speech))
    lead, trail = 2 * rate, 3 * rate
    sig = np.zeros(lead + speech.shape[0] + trail)
    sig[lead:lead + speech.shape[0]] = speech
    sig += _noise(rng, sig.shape[0], rate, -55.0)
    gt = ground_truth(speech)
    return Message(f"long_{minutes:g}min", _finish(sig), rate, (gt[0] + lead, gt[1] + lead), True)
