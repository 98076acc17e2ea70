"""graph_spectrogram must give matplotlib's numbers: the course's x, without matplotlib."""
import numpy as np
import pytest
from matplotlib import mlab

from core.trigger.audio import wav_bytes
from core.trigger.spectrogram import N_FREQ, graph_spectrogram, n_frames


def course(x):
    pxx, _, _ = mlab.specgram(x, NFFT=200, Fs=8000, noverlap=120)
    return pxx


def signals():
    rng = np.random.default_rng(0)
    t = np.arange(441000) / 44100
    yield "noise", rng.standard_normal(441000) * 3000
    yield "chirp", 10000 * np.sin(2 * np.pi * (100 + 2000 * t) * t)
    yield "clicks", np.where(np.arange(441000) % 4410 == 0, 30000.0, 0.0) + 1.0
    yield "short", rng.standard_normal(1234)
    yield "odd length", rng.standard_normal(44100 + 77)


@pytest.mark.parametrize("name,x", list(signals()))
def test_equals_matplotlib(name, x):
    ours, theirs = graph_spectrogram(x), course(x)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-12 * theirs.max())


def test_ten_seconds_is_101_by_5511():
    assert graph_spectrogram(np.zeros(441000)).shape == (N_FREQ, 5511) == (101, 5511)
    assert n_frames(441000) == 5511


def test_stereo_uses_the_first_channel_and_wav_is_read_in_int16_units():
    rng = np.random.default_rng(1)
    left = rng.uniform(-0.5, 0.5, 44100).astype(np.float32)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    np.testing.assert_allclose(graph_spectrogram(stereo), course(left), rtol=1e-5)
    pcm = np.round(left * 32767)
    np.testing.assert_allclose(graph_spectrogram(wav_bytes(left)), course(pcm), rtol=1e-5)
