"""benchmarks/room_changes.py: a spotter's dev false alarms over butted 2 s pieces or one room, with
distant talkers or none."""
import importlib.util
import sys
from pathlib import Path

import numpy as np

from core.trigger.detect import STEP_SAMPLES
from core.trigger.training.spotter import RATE, Sources

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "room_changes.py"
spec = importlib.util.spec_from_file_location("room_changes", SCRIPT)
room_changes = importlib.util.module_from_spec(spec)
sys.modules["room_changes"] = room_changes
spec.loader.exec_module(room_changes)


class RingsWhenTheRoomChanges:
    """A stand-in detector that answers 1 where broadband noise starts and lasts (energy above 2 kHz
    appears from one output step to the next and stays 10 steps), else 0: a detector that rings on
    every butted change of room. Words here are smooth 300 Hz bursts, rooms a 200 Hz hum or white
    noise."""

    refractory_steps = 138

    def clip_probabilities(self, samples: np.ndarray) -> np.ndarray:
        steps = samples[: len(samples) // STEP_SAMPLES * STEP_SAMPLES].reshape(-1, STEP_SAMPLES)
        spectrum = np.abs(np.fft.rfft(steps * np.hanning(STEP_SAMPLES), axis=1)) ** 2
        noisy = spectrum[:, int(2000 * STEP_SAMPLES / 44100):].sum(axis=1) > 0.005
        lasting = np.array([noisy[k:k + 10].all() for k in range(len(noisy))])  # a room, not a click
        answer = np.zeros(1375, np.float32)
        starts = np.flatnonzero(lasting[1:] & ~noisy[:-1]) + 1
        answer[starts[starts < 1375]] = 1.0
        return answer


def test_butted_pieces_ring_a_detector_of_room_changes_and_one_room_does_not():
    t = np.arange(10 * RATE) / RATE
    hum = np.sin(2 * np.pi * 200 * t).astype(np.float32)
    noise = np.random.default_rng(1).standard_normal(10 * RATE).astype(np.float32)
    word = (0.3 * np.sin(2 * np.pi * 300 * t[: RATE // 3]) * np.hanning(RATE // 3)).astype(np.float32)  # no clicks
    dev = Sources([], [], [], [word], [hum, noise], [])
    hours = 12 * 10 / 3600  # 12 mixes
    one = room_changes.false_alarm_rates(RingsWhenTheRoomChanges(), dev, hours, one_room=True)
    pieces = room_changes.false_alarm_rates(RingsWhenTheRoomChanges(), dev, hours, one_room=False)
    assert set(one) == set(pieces) == set(room_changes.THRESHOLDS)
    assert all(rate == 0 for rate in one.values())
    assert all(rate > 0 for rate in pieces.values())
    assert room_changes.lowest_within(one) == 0.8 and room_changes.lowest_within(pieces) is None
    quiet = room_changes.false_alarm_rates(RingsWhenTheRoomChanges(), dev, hours, one_room=False, talkers=False)
    assert all(rate > 0 for rate in quiet.values())  # the changes of room ring it, talkers or none
    assert list(room_changes.WAYS.values())[0] == (False, True)  # the judge's own mixes first
