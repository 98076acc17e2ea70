"""Declipping: guess the tops of waves a too-loud recording cut flat, before the detector hears it.

A recording pushed past full scale keeps only ±1.0 where the wave went higher: its loudest vowels
turn into flat runs, which add buzz across the spectrum. The course's way of making a clip (every
10 s mix set to −20 dBFS) clips almost every mix on the real-voice proxy (99.6%, median 548 samples),
and at one threshold people are heard less in clipped audio than in the same audio 10 dB lower;
synthesized voices are not (see the README, "Clipping").

The repair is local and cheap: each run of samples at full scale is replaced by the cubic (Hermite)
that leaves the sample before the run with that sample's slope and arrives at the sample after it
with its slope, so the wave rises past full scale and comes back as it would have. Runs touching the
audio's edges are left alone (no slope to follow). The result can exceed ±1.0: it is for the
detector's float features, not for playing or writing to 16 bits.

Measured on the proxy (two "jarvis" models): the detector then hears more of everything, other
words too, and at equal false alarms it gains nothing, so the shipped spotter leaves it off
(spotter.DECLIP); a config's "declip": true or the proxy's --declip turns it on.
"""
from __future__ import annotations

import numpy as np

FULL_SCALE = 0.999  # |sample| at or above this counts as clipped (detect.check_audio counts them so too)


def clipped_runs(samples: np.ndarray, limit: float = FULL_SCALE) -> tuple[np.ndarray, np.ndarray]:
    """(starts, stops) of each run of samples at or past ±limit; a run is samples[start:stop]."""
    at_limit = np.abs(np.asarray(samples)) >= limit
    edges = np.flatnonzero(np.diff(np.concatenate([[0], at_limit.astype(np.int8), [0]])))
    return edges[::2], edges[1::2]


def declipped(samples: np.ndarray, limit: float = FULL_SCALE) -> np.ndarray:
    """samples with each clipped run (clipped_runs) replaced by a cubic through its neighbours.
    Unclipped audio comes back unchanged (a copy)."""
    y = np.array(samples, dtype=np.float64)
    starts, stops = clipped_runs(y, limit)
    keep = (starts >= 2) & (stops + 1 < len(y))  # a sample and a slope on each side
    starts, stops = starts[keep], stops[keep]
    if len(starts):
        before, after = y[starts - 1], y[stops]  # the last good sample before, the first after
        slope_in, slope_out = before - y[starts - 2], y[stops + 1] - after  # per sample
        span = (stops - starts + 1).astype(np.float64)  # sample steps from `before` to `after`
        run = np.repeat(np.arange(len(starts)), stops - starts)  # which run each clipped sample is in
        offset = np.arange(len(run)) - np.repeat(np.cumsum(stops - starts) - (stops - starts), stops - starts)
        t = (offset + 1) / span[run]  # 0 at `before`, 1 at `after`
        t2, t3 = t * t, t * t * t
        y[np.repeat(starts, stops - starts) + offset] = (
            (2 * t3 - 3 * t2 + 1) * before[run] + (t3 - 2 * t2 + t) * span[run] * slope_in[run]
            + (-2 * t3 + 3 * t2) * after[run] + (t3 - t2) * span[run] * slope_out[run])
    return y.astype(np.float32)
