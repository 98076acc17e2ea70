"""Augmentation changes what it says it changes, and nothing else."""
import numpy as np
import pytest

from core.trigger.audio import SAMPLE_RATE
from core.trigger.voicebank import augment
from core.trigger.voicebank.augment import (
    MICROPHONES, Augmenter, band_limit, change_pitch, change_speed, change_vocal_tract, gain, reverb,
    room_impulse_response, time_stretch,
)
from core.trigger.voicebank.backgrounds import KINDS, LEVELS_DBFS, make_background

T = np.arange(SAMPLE_RATE) / SAMPLE_RATE
TONE = (0.3 * np.sin(2 * np.pi * 440 * T)).astype(np.float32)


def peak_hz(x):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spectrum) * SAMPLE_RATE / len(x)


def test_speed_changes_length_and_pitch():
    faster = change_speed(TONE, 1.25)
    assert abs(len(faster) - SAMPLE_RATE / 1.25) < 2
    assert abs(peak_hz(faster) - 550) < 3


def test_time_stretch_keeps_pitch_and_pitch_shift_keeps_length():
    longer = time_stretch(TONE, 0.8)
    assert abs(len(longer) - SAMPLE_RATE / 0.8) < 2 and abs(peak_hz(longer) - 440) < 3
    octave = change_pitch(TONE, 12)
    assert len(octave) == len(TONE) and abs(peak_hz(octave) - 880) < 5


def test_a_drawn_out_word_slows_its_vowel_far_more_than_its_consonants():
    rng = np.random.default_rng(0)
    consonant = (0.02 * rng.standard_normal(SAMPLE_RATE // 10)).astype(np.float32)
    vowel = TONE[: SAMPLE_RATE // 2]
    word = np.concatenate([consonant, vowel, consonant])
    slow = augment.drawn_out(word, 0.35, rng)
    assert 1.7 < len(slow) / len(word) < 2.6 and abs(peak_hz(slow) - 440) < 3  # longer, same pitch
    loud = np.abs(slow) > 0.1 * np.abs(slow).max()
    consonant_s = (len(slow) - (np.flatnonzero(loud)[-1] - np.flatnonzero(loud)[0])) / SAMPLE_RATE
    vowel_s = (np.flatnonzero(loud)[-1] - np.flatnonzero(loud)[0]) / SAMPLE_RATE
    assert vowel_s / 0.5 > 2.0 and consonant_s / 0.2 < 1.6  # vowel over twice as long, consonants not
    even = time_stretch(word, np.full(augment.frames_of(word), 0.5))  # one rate per frame, all alike
    assert abs(len(even) - len(time_stretch(word, 0.5))) <= 1
    with pytest.raises(ValueError):
        time_stretch(word, np.ones(3))


def vowel(f0_hz: float, formants=(700.0, 1200.0), seconds: float = 0.6, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A steady vowel: harmonics of f0_hz shaped by two formant bumps."""
    t = np.arange(int(seconds * rate)) / rate
    harmonics = np.arange(1, int(4000 // f0_hz) + 1) * f0_hz
    level = sum(np.exp(-0.5 * ((harmonics - f) / 150.0) ** 2) for f in formants) + 0.01
    return (0.1 * np.sum(level[:, None] * np.sin(2 * np.pi * harmonics[:, None] * t), axis=0)).astype(np.float32)


def pitch_hz(x, rate: int = SAMPLE_RATE) -> float:
    middle = x[len(x) // 4: 3 * len(x) // 4]
    lags = np.correlate(middle, middle, "full")[len(middle) - 1:]
    low = rate // 600
    return rate / (low + int(np.argmax(lags[low:rate // 60])))


def centroid_hz(x, rate: int = SAMPLE_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    hz = np.fft.rfftfreq(len(x), 1 / rate)
    return float(np.sum(hz * spectrum) / np.sum(spectrum))


@pytest.mark.parametrize("rate", [SAMPLE_RATE, 16000])
def test_change_f0_raises_the_voice_and_keeps_its_formants(rate):
    voice = vowel(150.0, rate=rate)
    chipmunk, excited = change_pitch(voice, 10), augment.change_f0(voice, 10, rate)
    assert len(excited) == len(voice)
    assert abs(pitch_hz(excited, rate) - 150 * 2 ** (10 / 12)) < 10  # ~267 Hz
    assert abs(pitch_hz(chipmunk, rate) - 150 * 2 ** (10 / 12)) < 10
    before = centroid_hz(voice, rate)
    assert centroid_hz(chipmunk, rate) > 1.5 * before  # the whole spectrum moved up
    # the formants stayed, roughly: (a voice at 267 Hz samples them at other harmonics)
    assert abs(centroid_hz(excited, rate) - before) < 0.5 * (centroid_hz(chipmunk, rate) - before)
    assert np.array_equal(augment.change_f0(voice, 0.0, rate), voice)
    assert augment.change_f0(np.zeros(0, np.float32), 5.0).size == 0
    same = augment.delivered(voice, f0=10.0, sample_rate=rate)
    assert np.allclose(same, excited)
    quiet = np.concatenate([np.zeros(rate // 4, np.float32), voice, np.zeros(rate // 4, np.float32)])
    noise = np.random.default_rng(0).standard_normal(rate // 2).astype(np.float32)
    for x in (quiet, noise, np.zeros(rate // 2, np.float32)):  # silence and noise stay finite
        assert np.all(np.isfinite(augment.change_f0(x, 7.0, rate)))


def test_vocal_tract_moves_spectral_energy_up():
    noise = np.random.default_rng(0).standard_normal(SAMPLE_RATE).astype(np.float32)
    low = band_limit(noise, 500, 1500)
    moved = change_vocal_tract(low, 1.3)
    assert len(moved) == len(low)
    centroid = lambda x: np.sum(np.abs(np.fft.rfft(x)) * np.arange(len(x) // 2 + 1)) / np.sum(np.abs(np.fft.rfft(x)))
    assert centroid(moved) > 1.15 * centroid(low)


def test_reverb_adds_a_tail_but_keeps_length():
    rng = np.random.default_rng(0)
    click = np.zeros(SAMPLE_RATE, np.float32)
    click[100] = 1.0
    wet = reverb(click, rng, rt60=0.5, wet=0.5)
    assert len(wet) == len(click) and np.abs(wet[5000:15000]).max() > 1e-3
    response = room_impulse_response(np.random.default_rng(0), 0.4)
    assert response[0] == 1.0 and len(response) == int(0.4 * SAMPLE_RATE)


@pytest.mark.parametrize("name", sorted(MICROPHONES))
def test_microphone_band(name):
    low, high = MICROPHONES[name]
    noise = np.random.default_rng(0).standard_normal(SAMPLE_RATE).astype(np.float32)
    spectrum = np.abs(np.fft.rfft(band_limit(noise, low, high)))
    freqs = np.fft.rfftfreq(SAMPLE_RATE, 1 / SAMPLE_RATE)
    assert spectrum[(freqs < low - 100) | (freqs > high + 100)].max(initial=0) < 1e-3
    assert spectrum[(freqs > low + 100) & (freqs < high - 100)].mean() > 10


def test_gain():
    np.testing.assert_allclose(gain(TONE, -6.0206), TONE / 2, atol=1e-6)


def test_augmenter_is_reproducible():
    a = Augmenter(p_speed=1, p_pitch=1, p_vocal_tract=1, p_reverb=1, p_microphone=1)
    one = a.augment_clip(TONE, np.random.default_rng(5))
    two = a.augment_clip(TONE, np.random.default_rng(5))
    assert one.dtype == np.float32 and one.tobytes() == two.tobytes()
    assert a.augment_recording(TONE, np.random.default_rng(1)).shape == TONE.shape


@pytest.mark.parametrize("kind", KINDS)
def test_backgrounds(kind):
    rng = np.random.default_rng(0)
    clips = [(TONE, SAMPLE_RATE)]
    x = make_background(kind, rng, sample_rate=16000, clips=clips)
    assert x.shape == (160000,) and x.dtype == np.float32 and np.abs(x).max() <= 1.0
    level = 20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
    assert LEVELS_DBFS[0] - 0.5 <= level <= LEVELS_DBFS[1] + 0.5
    same = make_background(kind, np.random.default_rng(0), sample_rate=16000, clips=clips)
    assert x.tobytes() == same.tobytes()
    with pytest.raises(ValueError):
        make_background("thunder", rng)
