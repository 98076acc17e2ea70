"""CTC speed on this CPU: the readable loops in core/ctc.py beside Keras. Prints medians, never fails.

    python benchmarks/bench_ctc.py

1. the CTC loss by the forward algorithm, 10 s of audio (T = 1,000) and a 50-character target,
   beside keras.ops.ctc_loss on the same matrix (and the two values, to show they agree);
2. prefix beam search on T = 100 steps, 28 symbols, beside keras.ops.ctc_decode;
3. counting alignments exactly for that target and T.
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_ms  # noqa: E402  (benchmarks/timing.py)

import numpy as np  # noqa: E402

from core.ctc import beam_decode, count_alignments, ctc_loss, random_probs  # noqa: E402

REPEATS = 5


def main():
    import keras

    probs = random_probs(1_000, 28, seed=0, sharpness=2.0)
    target = list(np.random.default_rng(0).integers(1, 28, size=50))
    ours = median_ms(lambda: ctc_loss(probs, target), REPEATS)
    logits = np.log(probs)[None].astype("float32")

    def theirs():
        return float(keras.ops.ctc_loss(np.array([target]), logits, np.array([50]), np.array([1_000]))[0])

    keras_ms = median_ms(theirs, REPEATS)
    print(f"CTC loss, T = 1,000, L = 50: core {ours:.0f} ms, keras {keras_ms:.0f} ms "
          f"(keras / core = {keras_ms / ours:.1f}); values {ctc_loss(probs, target):.4f} vs {theirs():.4f}")
    print("  (eager tf.nn.ctc_loss with dense labels on CPU runs a Python-level scan over time steps)")

    short = probs[:100]
    for width in (8, 32):
        ours = median_ms(lambda: beam_decode(short, width), REPEATS)
        keras_ms = median_ms(lambda: keras.ops.ctc_decode(np.log(short)[None].astype("float32"), np.array([100]),
                                                          strategy="beam_search", beam_width=width), REPEATS)
        print(f"beam search, T = 100, C = 28, width {width}: core {ours:.0f} ms, keras {keras_ms:.1f} ms "
              f"(core / keras = {ours / keras_ms:.0f})")
    ours = median_ms(lambda: count_alignments(target, 1_000), REPEATS)
    print(f"count alignments, T = 1,000, L = 50: {ours:.0f} ms ({count_alignments(target, 1_000):.3e} of them)")


if __name__ == "__main__":
    main()
