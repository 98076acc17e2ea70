"""Median time to make one trigger-word training example (x and y) from the bundled bank.

    .venv/bin/python benchmarks/bench_trigger_example.py [--n 50]

The target is ≤ 50 ms per plain example on one CPU core; augmented examples are timed too.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.trigger.synth import make_example  # noqa: E402
from core.trigger.voicebank.augment import Augmenter  # noqa: E402
from core.trigger.voicebank.bank import load_bundled_bank  # noqa: E402


def median_ms(bank, n, augmenter=None):
    options = {} if augmenter is None else dict(augment_clip=augmenter.augment_clip,
                                                augment_recording=augmenter.augment_recording)
    times = []
    for seed in range(n):
        rng = np.random.default_rng(seed)
        background = bank.backgrounds[seed % len(bank.backgrounds)]
        start = time.perf_counter()
        make_example(background, bank.activates, bank.negatives, rng=rng, **options)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times)), 1000 * float(np.percentile(times, 90))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="examples to time")
    args = parser.parse_args()
    bank = load_bundled_bank()
    make_example(bank.backgrounds[0], bank.activates, bank.negatives, rng=np.random.default_rng(0))  # warm up
    for name, augmenter in (("plain", None), ("augmented", Augmenter())):
        median, p90 = median_ms(bank, args.n, augmenter)
        print(f"{name:10s} median {median:6.1f} ms   p90 {p90:6.1f} ms   ({args.n} examples)")


if __name__ == "__main__":
    main()
