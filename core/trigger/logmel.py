"""The spotter's ears: 16 kHz log-mel frames, as speech front ends hear.

The course's model reads a 101-bin linear power spectrogram of 44.1 kHz audio at whatever
level it was recorded, then normalised to −20 dBFS. People are quieter or louder, nearer or
farther, through other microphones. This front end keeps what carries a word and drops what
does not: 40 mel bands from 60 Hz to 7.6 kHz (a laptop microphone's band), 25 ms frames every
10 ms, the log of their energy. The spotter then subtracts each band's mean over its 2 s
window (core.trigger.spotter.WindowNormalise), which removes the recording level and any
fixed microphone colouring: both are constants per band in the log domain.
"""
from __future__ import annotations

import numpy as np

from core.trigger.audio import SAMPLE_RATE, resample

RATE = 16000
FRAME = 400  # 25 ms
HOP = 160  # 10 ms
N_FFT = 512
N_MELS = 40
F_MIN, F_MAX = 60.0, 7600.0
FLOOR = 1e-10  # log floor (≈ −100 dB): digital silence reads as the quietest room
_DITHER = 10 ** (-90 / 20)  # −90 dBFS: zeros never reach the log as exact zeros


def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)


def _mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)


def mel_filters(n_mels: int = N_MELS, n_fft: int = N_FFT, rate: int = RATE,
                f_min: float = F_MIN, f_max: float = F_MAX) -> np.ndarray:
    """(n_fft // 2 + 1, n_mels) triangular filters, HTK mel scale, each summing to one."""
    edges = _mel_to_hz(np.linspace(_hz_to_mel(f_min), _hz_to_mel(f_max), n_mels + 2))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / rate)
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None] - low) / (centre - low)
    falling = (high - freqs[None]) / (high - centre)
    bank = np.maximum(0.0, np.minimum(rising, falling))
    bank /= np.maximum(bank.sum(axis=1, keepdims=True), 1e-12)
    return bank.T.astype(np.float32)


MEL = mel_filters()
WINDOW = np.hanning(FRAME).astype(np.float32)


def n_frames(n_samples: int) -> int:
    """Frames of log_mel for n_samples at RATE (0 when shorter than one frame)."""
    return 0 if n_samples < FRAME else 1 + (n_samples - FRAME) // HOP


def to_rate(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float audio at any rate → RATE (band-limited resampling)."""
    return resample(np.asarray(samples, np.float32), sample_rate, RATE)


def log_mel(samples: np.ndarray) -> np.ndarray:
    """Mono float samples at RATE → (frames, N_MELS) float32 log mel energies."""
    x = np.asarray(samples, np.float32)
    n = n_frames(len(x))
    if n == 0:
        return np.zeros((0, N_MELS), np.float32)
    dither = np.random.default_rng(len(x)).standard_normal(len(x)).astype(np.float32) * _DITHER
    frames = np.lib.stride_tricks.sliding_window_view(x + dither, FRAME)[::HOP][:n]
    spectrum = np.fft.rfft(frames * WINDOW, N_FFT, axis=1)
    power = (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32)
    return np.log(power @ MEL + FLOOR).astype(np.float32)
