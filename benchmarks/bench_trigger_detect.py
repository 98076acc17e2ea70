"""Trigger-word detection speed on this CPU: prints medians and ratios, never fails.

    .venv/bin/python benchmarks/bench_trigger_detect.py

1. one 10 s clip, the course's view (spectrogram + model), after warm-up; target ≤ 150 ms;
2. a 60 s file through the sliding 10 s windows: its real-time factor (seconds of compute
   per second of audio; below 1 is faster than real time).
"""
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_ms  # noqa: E402  (benchmarks/timing.py)

from core.trigger.audio import SAMPLE_RATE  # noqa: E402
from core.trigger.detect import CLIP_SAMPLES, TriggerDetector, features  # noqa: E402

REPEATS = 20


def main():
    detector = TriggerDetector.load()
    rng = np.random.default_rng(0)
    clip = (0.05 * rng.standard_normal(CLIP_SAMPLES)).astype(np.float32)
    total = median_ms(lambda: detector.clip_probabilities(clip), REPEATS)
    spectrogram = median_ms(lambda: features(clip), REPEATS)
    print(f"one 10 s clip: median {total:.0f} ms over {REPEATS} runs (target ≤ 150 ms), "
          f"of which the spectrogram {spectrogram:.0f} ms")
    minute = (0.05 * rng.standard_normal(SAMPLE_RATE * 60)).astype(np.float32)
    detector.detect(minute)
    start = time.perf_counter()
    detector.detect(minute)
    seconds = time.perf_counter() - start
    print(f"a 60 s file: {seconds:.2f} s, real-time factor {seconds / 60:.3f} "
          f"({60 / seconds:.0f}× faster than real time)")


if __name__ == "__main__":
    main()
