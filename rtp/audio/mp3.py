"""MP3 encoding for voicemail emails, through lameenc (LAME)."""

from __future__ import annotations

import lameenc
import numpy as np

from .g711 import to_pcm16


def encode_mp3(samples: np.ndarray, rate: int, bitrate_kbps: int = 32) -> bytes:
    """Encode mono float ``samples`` in [-1, 1) at ``rate`` Hz to MP3 bytes.

    32 kbit/s mono is transparent for 8 kHz telephone audio and keeps a minute of
    message under 250 kB in a mailbox.
    """
    enc = lameenc.Encoder()
    enc.set_bit_rate(bitrate_kbps)
    enc.set_in_sample_rate(int(rate))
    enc.set_channels(1)
    enc.set_quality(2)
    return bytes(enc.encode(to_pcm16(samples).tobytes()) + enc.flush())
