"""Declipping: clipped runs found, waves rebuilt near what was cut, unclipped audio untouched."""
import numpy as np

from core.trigger.audio import SAMPLE_RATE
from core.trigger.declip import FULL_SCALE, clipped_runs, declipped


def sine(peak: float, hz: float = 220.0, seconds: float = 0.1) -> np.ndarray:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return (peak * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_clipped_runs_are_the_stretches_at_full_scale():
    x = np.array([0.1, 1.0, 1.0, 0.5, -1.0, 0.2, 0.9989, 0.999], np.float32)
    starts, stops = clipped_runs(x)
    assert starts.tolist() == [1, 4, 7] and stops.tolist() == [3, 5, 8]
    assert [len(a) for a in clipped_runs(np.zeros(10))] == [0, 0]


def test_audio_that_does_not_clip_comes_back_unchanged():
    x = sine(0.9)
    y = declipped(x)
    np.testing.assert_array_equal(x, y)
    assert y is not x


def test_a_clipped_wave_is_rebuilt_near_what_was_cut():
    loud = sine(1.6)  # 4 dB past full scale: a third of each period flat
    clipped = np.clip(loud, -1.0, 1.0)
    rebuilt = declipped(clipped)
    inner = slice(10, -10)  # runs touching the edges stay as they are
    assert np.abs(clipped - loud)[inner].max() > 0.5
    assert np.abs(rebuilt - loud)[inner].max() < 0.1  # tops back within a tenth of full scale
    assert rebuilt.max() > 1.4 and rebuilt.min() < -1.4  # past full scale, as the wave was
    unclipped = np.abs(clipped) < FULL_SCALE
    np.testing.assert_array_equal(rebuilt[unclipped], clipped[unclipped])  # only clipped samples change


def test_runs_at_the_edges_are_left_alone_and_an_inner_run_is_rebuilt_past_full_scale():
    x = np.array([1.0, 1.0, 0.1, 0.4, 0.8, 1.0, 1.0, 0.5, 0.0, -1.0], np.float32)
    y = declipped(x)
    assert y[0] == y[1] == 1.0 and y[-1] == -1.0
    assert y[5:7].max() > 1.0 and np.all(y[5:7] != 1.0)  # the inner run is rebuilt, rising past full scale
