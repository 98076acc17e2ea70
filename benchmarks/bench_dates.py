"""Date translator speed on this CPU: prints medians and ratios, never fails.

    python benchmarks/bench_dates.py

1. one translation with its attention map (what the page does per keystroke);
2. beam search with B = 10 on one input (the beam search page);
3. throughput on 10,000 generated inputs, beside dateutil.parser on the same inputs.
"""
import os
import warnings
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_ms  # noqa: E402  (benchmarks/timing.py)

from core.dates.data import DateGenerator  # noqa: E402
from core.dates.decode import DateTranslator, beam_translate  # noqa: E402

REPEATS = 200


def main():
    translator = DateTranslator.load()
    one = median_ms(lambda: translator.translate("tuesday 09 oct 1993"), REPEATS)
    print(f"one translation with attention: median {one:.2f} ms over {REPEATS} runs (target ≤ 10 ms)")
    beam = median_ms(lambda: beam_translate(translator, "tuesday 09 oct 1993", 10, 0.7), 50)
    print(f"beam search, B = 10: median {beam:.1f} ms over 50 runs (target ≤ 100 ms)")

    texts = [t for t, _, _ in DateGenerator(42).dataset(10_000)]
    translator.translate_many(texts[:512])
    start = time.perf_counter()
    translator.translate_many(texts)
    model_s = time.perf_counter() - start
    print(f"throughput: 10,000 inputs in {model_s:.2f} s = {10_000 / model_s:,.0f} inputs/s")
    warnings.filterwarnings("ignore", module="dateutil")  # "tzname PST not understood": we only time it
    try:
        from dateutil import parser
    except ImportError:
        print("dateutil not installed (requirements-dev.txt): no comparison")
        return
    start = time.perf_counter()
    parsed = 0
    for text in texts:
        try:
            parser.parse(text, fuzzy=True)
            parsed += 1
        except (ValueError, OverflowError, parser.ParserError):
            pass
    dateutil_s = time.perf_counter() - start
    print(f"dateutil.parser.parse(fuzzy=True): 10,000 inputs in {dateutil_s:.2f} s = "
          f"{10_000 / dateutil_s:,.0f} inputs/s ({parsed:,} parsed without error)")
    print(f"ratio (model time / dateutil time), one run: {model_s / dateutil_s:.2f}")


if __name__ == "__main__":
    main()
