"""The one timing helper the benchmark scripts share: a median after one warm-up call."""
import statistics
import time


def median_ms(fn, repeats: int) -> float:
    """Median wall time of fn() in milliseconds over `repeats` calls, after one warm-up call
    (which compiles tf.functions and fills caches)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
