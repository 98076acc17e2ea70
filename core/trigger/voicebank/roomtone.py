"""Real room sound around a recorded word: where the word is, and the stretch of room beside it.

A real recording of one word is mostly room: breath, the tail of the word, a click of the
microphone, the fan. `word_bounds` finds the word; `quiet_frames` keeps only the quietest
frames (the room alone: the spotter's room tones); `quiet_stretch` keeps the longest contiguous
piece outside the word, as it was recorded, breath and tail and all; `loop_to` repeats such a
piece to any length. The real-voice proxy's judge makes its room-tone backgrounds from looped
stretches (benchmarks/real_voice_proxy.py), and the spotter's recipe can train over such loops
(core.trigger.training.spotter, --tails): a looped breath-and-click is what one proxy model
rang on.
"""
from __future__ import annotations

import numpy as np

from core.trigger.audio import loop_to  # noqa: F401  (one definition; the judge and the recipe use it from here)

RATE = 16000  # the real recordings' own rate (../shared/data/real_speech/README.md)


def word_bounds(samples: np.ndarray, rate: int = RATE, below_peak_db: float = 30.0,
                above_floor_db: float = 10.0, below_peak_cap_db: float = 10.0, max_gap_ms: int = 250,
                pad_ms: int = 30) -> tuple[int, int]:
    """(start, stop) of the word in a real recording: its end is what a detection is timed by.

    10 ms frames are speech when louder than peak - below_peak_db and than the recording's
    noise floor + above_floor_db (but never asked to be within below_peak_cap_db of the
    peak); the floor is the median level of frames that are not digital silence (these
    recordings are mostly room: the word takes 0.5-1 s of 1.5-3 s). Runs closer than
    max_gap_ms are one (the stops inside "computer"); the run with the most energy is the
    word. Stricter than personal.speech_bounds, whose floor sinks to the digital silence some
    recordings are padded with, keeping a second of fan noise after "alexa": a word end
    placed that late turns a hit into a miss and a false alarm. Use it at the file's own
    rate: resampling smears digital silence.
    """
    hop = max(1, rate // 100)
    n = len(samples) // hop
    if n == 0:
        return 0, len(samples)
    frames = samples[:n * hop].reshape(n, hop).astype(np.float64)
    level = 20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-10)
    live = level[level > -150.0]
    if len(live) == 0:
        return 0, len(samples)
    peak, floor = float(level.max()), float(np.median(live))
    loud = np.flatnonzero(level >= max(peak - below_peak_db, min(floor + above_floor_db, peak - below_peak_cap_db)))
    runs, gap = [], max(1, max_gap_ms // 10)
    for i in loud:
        if runs and i - runs[-1][1] <= gap:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    energy = 10 ** (level / 10)
    first, last = max(runs, key=lambda r: energy[r[0]:r[1] + 1].sum())
    pad = int(pad_ms * rate / 1000)
    return max(0, first * hop - pad), min(len(samples), (last + 1) * hop + pad)


def quiet_frames(samples: np.ndarray, rate: int = RATE, min_seconds: float = 0.3) -> np.ndarray | None:
    """The quietest 35% of a recording's 10 ms frames, without digital silence, joined: the room and
    microphone alone, with no breath or word tail (the spotter's room tones); None if shorter than
    min_seconds."""
    hop = rate // 100
    n = len(samples) // hop
    if n < 10:
        return None
    frames = samples[:n * hop].reshape(n, hop)
    level = 20 * np.log10(np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) + 1e-10)
    live = level > -100
    if live.sum() < 10:
        return None
    quiet = frames[live & (level < np.percentile(level[live], 35))].reshape(-1)
    return quiet.astype(np.float32) if len(quiet) >= min_seconds * rate else None


def quiet_stretch(samples: np.ndarray, rate: int = RATE, min_seconds: float = 0.5) -> np.ndarray | None:
    """The longest stretch of a recording outside its word (word_bounds, 0.1 s away from it),
    without digital silence, at the recording's rate; None if shorter than min_seconds."""
    start, stop = word_bounds(samples, rate)
    margin = int(0.1 * rate)
    hop = rate // 100
    best = None
    for piece in (samples[:max(0, start - margin)], samples[min(len(samples), stop + margin):]):
        n = len(piece) // hop
        if n == 0:
            continue
        frames = piece[:n * hop].reshape(n, hop)
        piece = frames[np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) > 10 ** (-100 / 20)].reshape(-1)
        if best is None or len(piece) > len(best):
            best = piece
    if best is None or len(best) < min_seconds * rate:
        return None
    return best
