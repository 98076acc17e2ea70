"""Trigger-word detection speed on this CPU, both detectors: prints medians and ratios, never fails.

    .venv/bin/python benchmarks/bench_trigger_detect.py

For the embedding spotter (models/embedding_spotter, the default, when trained), the spotter
(models/spotter) and the course's model (models/trigger):
1. one 10 s clip after warm-up (target ≤ 100 ms), and how much of it is the front end;
2. a 60 s file: its real-time factor (seconds of compute per second of audio; below 1 is
   faster than real time);
then the ratio of the detectors' clip times, and what the spotter's slow views cost
(spotter.SLOW_VIEWS: one more network pass per window each).
"""
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_ms  # noqa: E402  (benchmarks/timing.py)

from core.trigger import embedding_spotter, spotter  # noqa: E402
from core.trigger.audio import SAMPLE_RATE  # noqa: E402
from core.trigger.detect import CLIP_SAMPLES, TriggerDetector, features  # noqa: E402

REPEATS = 20


def measure(name, detector, front_end, clip, minute) -> float:
    total = median_ms(lambda: detector.clip_probabilities(clip), REPEATS)
    front = median_ms(lambda: front_end(clip), REPEATS)
    print(f"{name}: one 10 s clip: median {total:.0f} ms over {REPEATS} runs (target ≤ 100 ms), "
          f"of which the front end {front:.0f} ms")
    detector.detect(minute)
    start = time.perf_counter()
    detector.detect(minute)
    seconds = time.perf_counter() - start
    print(f"{name}: a 60 s file: {seconds:.2f} s, real-time factor {seconds / 60:.3f} "
          f"({60 / seconds:.0f}× faster than real time)")
    return total


def main():
    rng = np.random.default_rng(0)
    clip = (0.05 * rng.standard_normal(CLIP_SAMPLES)).astype(np.float32)
    minute = (0.05 * rng.standard_normal(SAMPLE_RATE * 60)).astype(np.float32)
    shipped = spotter.SpotterDetector.load()
    plain, viewed = spotter.SpotterDetector.load(), spotter.SpotterDetector.load()
    plain.slow_views, viewed.slow_views = (), shipped.slow_views or (1.5,)  # the views' price, shipped or not
    plain_ms = measure("spotter, plain window", plain, spotter.frames_for, clip, minute)
    viewed_ms = measure(f"spotter with slow views {viewed.slow_views}", viewed, spotter.frames_for, clip, minute)
    course = measure("course's model", TriggerDetector.load(), features, clip, minute)
    shipped_ms = viewed_ms if shipped.slow_views else plain_ms
    print(f"the shipped spotter is the {'slow views' if shipped.slow_views else 'plain window'} one; "
          f"ratio course / shipped spotter per 10 s clip: {course / shipped_ms:.2f}; "
          f"slow views / plain window: {viewed_ms / plain_ms:.2f}")
    if (embedding_spotter.MODEL_DIR / embedding_spotter.WEIGHTS).exists():
        embedded = embedding_spotter.EmbeddingSpotterDetector.load()
        front = lambda clip: embedded.front.embed_mel(embedded.mel_for(clip, SAMPLE_RATE))  # noqa: E731
        embedded_ms = measure("embedding spotter", embedded, front, clip, minute)
        print(f"ratio embedding spotter / shipped spotter per 10 s clip: {embedded_ms / shipped_ms:.2f}; "
              f"course / embedding spotter: {course / embedded_ms:.2f}")


if __name__ == "__main__":
    main()
