"""Tuning constants of the trimmer and the limiter, in one place with their reasons."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Detection and limiter parameters (times in seconds, levels in dB)."""

    # Quieter than this (mean square of the speech-band energy) is never speech:
    # -70 dBFS is below any line noise we have seen and far below quiet speech.
    absolute_floor_db: float = -70.0
    # The noise floor is a low percentile of frame energies: robust to speech taking
    # most of the recording, and to clicks.
    floor_percentile: float = 10.0
    # A frame is "loud" 10 dB above the floor (stationary noise in a 20 ms frame
    # varies by about +-1 dB, so noise never gets there) ...
    onset_margin_db: float = 10.0
    # ... and boundaries are then extended while frames stay 4.5 dB above it
    # (hysteresis), to keep quiet onsets and decays.
    extend_margin_db: float = 4.5
    extend_max_s: float = 0.3
    # Hangover: speech fades under the noise before it ends (decays, releases).
    preroll_s: float = 0.04
    hangover_s: float = 0.06
    # Loud runs closer than this are one segment (stop closures, short pauses).
    merge_gap_s: float = 0.15
    # Segments shorter than this are clicks or pops, not speech.
    min_segment_s: float = 0.06
    # Never background noise, whatever the floor (a tone, a shout on a noisy line).
    loud_db: float = -15.0
    # Growth from the voiced speech walks over segments this far above the floor and
    # at least this long (soft first words, trailing syllables) ...
    grow_margin_db: float = 6.0
    grow_min_s: float = 0.04
    # ... those this close to speech are speech (fricatives, bursts) ...
    close_gap_s: float = 0.25
    # ... up to this far if voiced (a soft word) ...
    adjacent_gap_s: float = 0.5
    # ... farther ones only if long and about as loud as the speech.
    distant_gap_s: float = 1.2
    distant_min_s: float = 0.16
    distant_below_db: float = 6.0
    click_above_db: float = 10.0
    # Voicing: normalized autocorrelation peak over 70-400 Hz pitch lags.
    voicing_threshold: float = 0.45
    voicing_frames: int = 4
    # Recordings shorter than this are not messages.
    min_input_s: float = 0.1
    # Never amplify by more than this: a quieter "message" is noise.
    max_gain_db: float = 60.0
    # Limiter: look-ahead/attack and hold/release, see ``limiter``.
    limiter_attack_s: float = 0.002
    limiter_release_s: float = 0.010
    # Make-up gain after limiting (see ``normalize``): at most this many refinements,
    # until the output is within the tolerance of the target.
    limiter_passes: int = 1
    limiter_tolerance_lu: float = 0.1


DEFAULT = Settings()
