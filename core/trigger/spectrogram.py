"""The course's graph_spectrogram, in numpy: the same numbers as matplotlib's mlab.specgram.

The course calls `plt.specgram(data, NFFT=200, Fs=8000, noverlap=120)` on 44.1 kHz audio:
Fs=8000 is "wrong" for the audio but only scales the power (and the axis labels), so we keep
it to get the course's exact x. 10 s → 441000 samples → Tx = 5511 columns of n_freq = 101.
"""
from __future__ import annotations

import numpy as np

NFFT = 200  # length of each window segment
FS = 8000  # sampling frequency as the course passes it to specgram
NOVERLAP = 120  # overlap between windows: a hop of 80 samples
N_FREQ = NFFT // 2 + 1  # 101 frequencies
WINDOW = np.hanning(NFFT)  # mlab's default window_hanning
PCM_SCALE = 32768.0  # the course reads int16 WAV, so its spectrogram is in int16 units


def n_frames(n_samples: int, nfft: int = NFFT, noverlap: int = NOVERLAP) -> int:
    """How many spectrogram columns n_samples make (441000 → 5511)."""
    return 1 + (max(n_samples, nfft) - nfft) // (nfft - noverlap)


def graph_spectrogram(data, nfft: int = NFFT, fs: int = FS, noverlap: int = NOVERLAP) -> np.ndarray:
    """Power spectral density, shape (n_freq, frames): mlab.specgram's default mode='psd'.

    data: samples (1-D, or (frames, channels) → first channel, as the course does), or a WAV
    path/bytes, which is read as the course's wavfile.read does: in int16 units. Hanning
    window, no detrending, one-sided spectrum scaled by 1/(Fs·Σw²), doubled except at DC and
    Nyquist.
    """
    if not isinstance(data, np.ndarray):
        from core.trigger.audio import read_wav

        samples, _ = read_wav(data)
        data = samples * PCM_SCALE
    x = np.asarray(data, dtype=np.float64)
    if x.ndim == 2:
        x = x[:, 0]
    if len(x) < nfft:  # mlab pads a short signal to one window
        x = np.pad(x, (0, nfft - len(x)))
    window = WINDOW if nfft == NFFT else np.hanning(nfft)
    step = nfft - noverlap
    frames = np.lib.stride_tricks.sliding_window_view(x, nfft)[::step][:n_frames(len(x), nfft, noverlap)]
    spectrum = np.fft.rfft(frames * window, axis=1)
    pxx = spectrum.real ** 2 + spectrum.imag ** 2
    last = None if nfft % 2 else -1  # with an even NFFT the Nyquist bin is not doubled
    pxx[:, 1:last] *= 2.0
    pxx /= fs * np.sum(window ** 2)
    return pxx.T
