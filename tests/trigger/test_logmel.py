"""The spotter's front end: mel filters, frames, and why loudness drops out."""
import numpy as np

from core.trigger import logmel


def test_filters_cover_the_band_and_each_sums_to_one():
    bank = logmel.mel_filters()
    assert bank.shape == (logmel.N_FFT // 2 + 1, logmel.N_MELS)
    np.testing.assert_allclose(bank.sum(axis=0), 1.0, rtol=1e-5)
    freqs = np.fft.rfftfreq(logmel.N_FFT, 1 / logmel.RATE)
    assert bank[freqs < logmel.F_MIN].sum() == 0 and bank[freqs > logmel.F_MAX].sum() == 0


def test_a_tone_lights_the_band_around_its_frequency_and_frames_are_counted():
    t = np.arange(logmel.RATE) / logmel.RATE
    frames = logmel.log_mel(0.1 * np.sin(2 * np.pi * 1000 * t))
    assert frames.shape == (logmel.n_frames(logmel.RATE), logmel.N_MELS) == (98, 40)
    loudest = int(np.argmax(frames.mean(axis=0)))
    centres = np.argmax(logmel.MEL, axis=0) * logmel.RATE / logmel.N_FFT
    assert abs(centres[loudest] - 1000) < 120


def test_a_gain_adds_the_same_constant_to_every_band():
    noise = np.random.default_rng(0).standard_normal(logmel.RATE).astype(np.float32) * 0.05
    difference = logmel.log_mel(noise * 10) - logmel.log_mel(noise)
    np.testing.assert_allclose(difference, np.log(100.0), atol=1e-2)  # 20 dB of amplitude = ×100 in power


def test_silence_and_short_input_give_finite_frames():
    assert logmel.log_mel(np.zeros(100, np.float32)).shape == (0, logmel.N_MELS)
    assert np.all(np.isfinite(logmel.log_mel(np.zeros(logmel.RATE, np.float32))))
    assert len(logmel.to_rate(np.zeros(44100, np.float32), 44100)) == logmel.RATE
