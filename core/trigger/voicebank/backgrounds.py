"""10 s backgrounds made by code: the course's recorded backgrounds are not ours to ship.

Each recipe returns float32 mono in [-1, 1] at the requested rate, scaled to level_dbfs,
from the Generator passed in: coloured noise, mains hum, a fan, babble (many quiet voices
from the bank overlapped) and simple music.
"""
from __future__ import annotations

import numpy as np

from core.trigger.audio import SAMPLE_RATE, resample

SECONDS = 10.0
KINDS = ("white noise", "pink noise", "brown noise", "mains hum", "fan", "babble", "music")
LEVELS_DBFS = (-40.0, -20.0)  # backgrounds are drawn between these loudness levels


def _at_level(x: np.ndarray, level_dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) or 1.0
    return np.clip(x * (10.0 ** (level_dbfs / 20.0) / rms), -1.0, 1.0).astype(np.float32)


def coloured_noise(rng, n: int, exponent: float) -> np.ndarray:
    """Noise whose power falls as 1/f**exponent: 0 white, 1 pink, 2 brown (red)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.arange(len(spectrum), dtype=np.float64)
    freqs[0] = 1.0
    return np.fft.irfft(spectrum / freqs ** (exponent / 2.0), n)


def mains_hum(rng, n: int, sample_rate: int) -> np.ndarray:
    """50 or 60 Hz and its odd harmonics (transformer buzz), over a little pink noise."""
    t = np.arange(n) / sample_rate
    base = rng.choice([50.0, 60.0])
    hum = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 2 * np.pi))
              for k in (1, 2, 3, 5, 7))
    noise = coloured_noise(rng, n, 1.0)
    return hum / np.abs(hum).max() + 0.05 * noise / np.abs(noise).max()


def fan(rng, n: int, sample_rate: int) -> np.ndarray:
    """Brown-ish noise, low-passed and swelling at the blade rate, plus the motor's tone."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    cutoff = rng.uniform(400, 1500)
    spectrum /= np.sqrt(1.0 + (freqs / cutoff) ** 4)
    air = np.fft.irfft(spectrum, n)
    t = np.arange(n) / sample_rate
    blades = 1.0 + 0.3 * np.sin(2 * np.pi * rng.uniform(8, 30) * t)
    motor = 0.1 * np.sin(2 * np.pi * rng.uniform(90, 240) * t)
    air = air / np.abs(air).max()
    return air * blades + motor


def babble(rng, n: int, sample_rate: int, clips, voices: int = 12) -> np.ndarray:
    """Many quiet voices at once (a café): bank clips at random times and levels.

    clips are (samples, rate) pairs; with none, this falls back to pink noise.
    """
    if not clips:
        return coloured_noise(rng, n, 1.0)
    out = np.zeros(n)
    for _ in range(voices * int(np.ceil(n / sample_rate / 2))):  # about `voices` talking at any time
        samples, rate = clips[int(rng.integers(len(clips)))]
        clip = resample(samples, rate, sample_rate)[:n]
        start = int(rng.integers(0, max(1, n - len(clip))))
        out[start:start + len(clip)] += clip * rng.uniform(0.2, 1.0)
    return out


def music(rng, n: int, sample_rate: int) -> np.ndarray:
    """Plucked notes of a random chord progression: sine partials with decaying envelopes."""
    t_note = np.arange(int(0.25 * sample_rate)) / sample_rate
    out = np.zeros(n)
    root = rng.integers(45, 57)  # MIDI note of the key
    chords = [(0, 4, 7), (5, 9, 12), (7, 11, 14), (-3, 0, 4)]
    beat = int(rng.uniform(0.2, 0.4) * sample_rate)
    for i, start in enumerate(range(0, n, beat)):
        chord = chords[(i // 8) % len(chords)]
        note = root + 12 + chord[int(rng.integers(3))] + 12 * int(rng.integers(0, 2))
        f = 440.0 * 2 ** ((note - 69) / 12)
        tone = sum(np.sin(2 * np.pi * f * k * t_note) / k ** 2 for k in (1, 2, 3)) * np.exp(-t_note * 9)
        stop = min(n, start + len(tone))
        out[start:stop] += tone[:stop - start]
        if i % 4 == 0:  # a bass note on each bar
            f_bass = 440.0 * 2 ** ((root + chord[0] - 69) / 12)
            bass = np.sin(2 * np.pi * f_bass * t_note) * np.exp(-t_note * 3)
            out[start:stop] += 0.8 * bass[:stop - start]
    return out


def make_background(kind: str, rng: np.random.Generator, level_dbfs: float | None = None,
                    sample_rate: int = SAMPLE_RATE, seconds: float = SECONDS, clips=()) -> np.ndarray:
    """One background of the given kind; level_dbfs=None draws it from LEVELS_DBFS."""
    n = int(seconds * sample_rate)
    if kind == "white noise":
        x = coloured_noise(rng, n, 0.0)
    elif kind == "pink noise":
        x = coloured_noise(rng, n, 1.0)
    elif kind == "brown noise":
        x = coloured_noise(rng, n, 2.0)
    elif kind == "mains hum":
        x = mains_hum(rng, n, sample_rate)
    elif kind == "fan":
        x = fan(rng, n, sample_rate)
    elif kind == "babble":
        x = babble(rng, n, sample_rate, list(clips))
    elif kind == "music":
        x = music(rng, n, sample_rate)
    else:
        raise ValueError(f"unknown background {kind!r}; choose from {', '.join(KINDS)}")
    if level_dbfs is None:
        level_dbfs = float(rng.uniform(*LEVELS_DBFS))
    return _at_level(x, level_dbfs)
