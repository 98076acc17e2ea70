"""Judging the detector by events, not frames: recall and false alarms per hour.

A dev example is a 10 s mix made the course's way from voices training never heard, over
backgrounds, with real recorded negatives. A detection counts for an "activate" if it comes
between EARLY s before and LATE s after the word ends; any other detection is a false alarm.
Frame accuracy (the course's metric, 0.93 on its dev set) is reported beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.trigger.detect import REFRACTORY_STEPS, STEP_SECONDS, detect_events
from core.trigger.synth import BACKGROUND_MS, make_example

EARLY, LATE = 0.25, 1.0  # seconds around the end of the word where a detection is a hit
SCORABLE_END_MS = BACKGROUND_MS - 500  # a word ending in the last 0.5 s cannot be heard in time
THRESHOLDS = tuple(np.round(np.arange(0.05, 1.0, 0.05), 2)) + (0.97, 0.98, 0.99)  # finer where false alarms fall
# The spotter's: its false alarms fall away only above 0.9, so every 0.01 there (its recipe and the
# real-voice proxy judge on these).
FINE_THRESHOLDS = tuple(np.round(np.arange(0.05, 0.9, 0.05), 2)) + tuple(np.round(np.arange(0.9, 0.995, 0.01), 2)) + \
    (0.995, 0.999)
MIN_RECALL = 0.95  # the recall a default threshold must keep (the goal, with ≤ 1 false alarm/hour)


@dataclass
class DevExample:
    x: np.ndarray  # (5511, 101)
    y: np.ndarray  # (1375,)
    activate_ends_ms: list


def make_dev_examples(activates, negatives, backgrounds, n: int, seed: int, augmenter=None,
                      negatives_only: bool = False):
    """n dev examples; negatives_only=True gives 0 activates and 1–4 negatives each (false-alarm hunting)."""
    rng = np.random.default_rng([seed, 7])
    options = {} if augmenter is None else dict(augment_clip=augmenter.augment_clip,
                                                augment_recording=augmenter.augment_recording)
    for _ in range(n):
        background = backgrounds[int(rng.integers(len(backgrounds)))]
        counts = dict(n_activates=0, n_negatives=int(rng.integers(1, 5))) if negatives_only else {}
        example = make_example(background, activates, negatives, rng=rng, **counts, **options)
        ends = [s["end_ms"] for s in example.segments if s["kind"] == "activate" and s["placed"]]
        yield DevExample(example.x.T.astype(np.float32), example.y.reshape(-1), ends)


def held_out_example(bank, seed: int, n_activates: int, n_negatives: int) -> tuple[np.ndarray, list[float]]:
    """One 10 s mix made the course's way from a bank's held-out (dev) voices and backgrounds,
    the same for the same seed; and the second at which each "activate" in it ends."""
    from core.trigger.voicebank.bank import split_bank

    _, dev = split_bank(bank)
    example = make_example(dev.backgrounds[seed % len(dev.backgrounds)], dev.activates, dev.negatives,
                           rng=np.random.default_rng(seed), n_activates=n_activates, n_negatives=n_negatives)
    ends = [s["end_ms"] / 1000 for s in example.segments if s["kind"] == "activate" and s["placed"]]
    return example.audio, ends


def match_events(detection_steps, activate_ends_ms) -> tuple[int, int, int]:
    """(hits, scorable activates, false alarms) for one example."""
    times = [(i + 1) * STEP_SECONDS for i in detection_steps]
    ends = [e / 1000 for e in activate_ends_ms]
    used, hits, false_alarms = set(), 0, 0
    for t in times:
        match = next((k for k, e in enumerate(ends) if k not in used and e - EARLY <= t <= e + LATE), None)
        if match is None:
            false_alarms += 1
        else:
            used.add(match)
    scorable = [k for k, e in enumerate(activate_ends_ms) if e <= SCORABLE_END_MS]
    hits = sum(k in used for k in scorable)
    return hits, len(scorable), false_alarms


def event_metrics(probabilities, examples, thresholds=THRESHOLDS, refractory_steps: int = REFRACTORY_STEPS) -> list[dict]:
    """For each threshold: recall, false alarms, false alarms per hour."""
    hours = len(examples) * BACKGROUND_MS / 1000 / 3600
    rows = []
    for threshold in thresholds:
        hits = scorable = false_alarms = 0
        for p, example in zip(probabilities, examples):
            h, s, f = match_events(detect_events(p, threshold, refractory_steps), example.activate_ends_ms)
            hits, scorable, false_alarms = hits + h, scorable + s, false_alarms + f
        rows.append(dict(threshold=float(threshold), recall=hits / scorable if scorable else float("nan"),
                         hits=hits, activates=scorable, false_alarms=false_alarms,
                         false_alarms_per_hour=false_alarms / hours))
    return rows


def frame_accuracy(probabilities, examples, threshold: float = 0.5) -> float:
    right = sum(int(np.sum((p > threshold) == (e.y > 0.5))) for p, e in zip(probabilities, examples))
    return right / sum(len(e.y) for e in examples)


def recall_lower_bound(hits: int, activates: int, z: float = 1.96) -> float:
    """The lower end of the Wilson 95% interval for recall = hits / activates: how low the
    recall may really be, given that only this many "activate"s were heard."""
    if activates <= 0:
        return 0.0
    p, n = hits / activates, activates
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    spread = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float(centre - spread)


def choose_threshold(rows, max_false_alarms_per_hour: float = 1.0, min_recall: float = MIN_RECALL) -> dict:
    """The default threshold: the best recall among those within the false-alarm budget
    (ties → the higher threshold); if none is within it, the fewest false alarms among those
    that surely keep min_recall (ties → the better recall); if none does, the best recall.

    "Surely": the recall's Wilson lower bound must reach min_recall, not the recall itself.
    A threshold picked at the edge of the goal on one dev set kept about 2 points less on a
    fresh set of the same held-out voices (README, "Trigger word"); on 757 dev activates the
    bound asks for about 96.5%.
    """
    within = [r for r in rows if r["false_alarms_per_hour"] <= max_false_alarms_per_hour]
    if within:
        return max(within, key=lambda r: (r["recall"], r["threshold"]))
    keeping = [r for r in rows if recall_lower_bound(r["hits"], r["activates"]) >= min_recall]
    if keeping:
        return min(keeping, key=lambda r: (r["false_alarms_per_hour"], -r["recall"]))
    return max(rows, key=lambda r: (r["recall"], -r["false_alarms_per_hour"]))


def predictor(model, batch_size: int = 8):
    """A function: list of (5511, 101) inputs → list of probabilities, through one compiled
    call (calling the model eagerly runs the GRUs' 1375-step loop in Python: minutes for a
    few hundred clips)."""
    import tensorflow as tf

    from core.trigger.synth import Tx, n_freq

    call = tf.function(lambda x: model(x, training=False),
                       input_signature=[tf.TensorSpec((None, Tx, n_freq), tf.float32)])

    def predict_inputs(xs):
        return [p for i in range(0, len(xs), batch_size)
                for p in np.asarray(call(np.stack(xs[i:i + batch_size])))[..., 0]]

    return predict_inputs


def predict(model, examples, batch_size: int = 8) -> list[np.ndarray]:
    return predictor(model, batch_size)([e.x for e in examples])
