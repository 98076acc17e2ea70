"""Which real recordings does a recipe miss, and are they the same ones for every model?

    .venv/bin/python benchmarks/proxy_misses.py runs/proxy/wide_seed0_views15/jarvis@0.995 \\
        runs/proxy/wide_seed1_views15/jarvis@0.91

Each argument is a judged proxy word folder (benchmarks/real_voice_proxy.py's OUT/<word>, its
answers cached in judge/real.*) and the threshold to read it at. Every real recording is in one
mix per SNR; a recording's hit rate is the share of its mixes heard. The script prints, per model,
recall by SNR; between the first two, how alike the recordings' hit rates are (correlation) and
how many recordings both always miss or always hear. Misses that stay at every SNR and in every
model are the recordings (the voice, the accent, the microphone), not the noise or the seed.
Reads the cache only: no model runs, seconds.
"""
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import real_voice_proxy as proxy  # noqa: E402  (benchmarks/real_voice_proxy.py)

from core.trigger.training import evaluate  # noqa: E402


def hit_rates(word_dir, threshold: float, part: str = "real") -> tuple[dict, dict]:
    """({recording index: share of its mixes heard}, {snr: recall}) from a judged folder's cache."""
    cache = Path(word_dir) / "judge"
    probabilities = np.load(cache / f"{part}.npy")
    mixes = [proxy.Mix(**m) for m in json.loads((cache / f"{part}.json").read_text())["mixes"]]
    per_recording, per_snr = {}, {}
    for p, mix in zip(probabilities, mixes):
        row = evaluate.event_metrics([p], [mix], [threshold], proxy.REFRACTORY_STEPS)[0]
        heard = row["hits"] / max(1, row["activates"])
        per_recording.setdefault(mix.source, []).append(heard)
        per_snr.setdefault(mix.snr, []).append(heard)
    return ({k: float(np.mean(v)) for k, v in per_recording.items()},
            {k: float(np.mean(v)) for k, v in sorted(per_snr.items(), reverse=True)})


def agreement(a: dict, b: dict) -> dict:
    """How alike two models' per-recording hit rates are (over the recordings both judged)."""
    keys = sorted(set(a) & set(b))
    x, y = np.array([a[k] for k in keys]), np.array([b[k] for k in keys])
    same = float(np.corrcoef(x, y)[0, 1]) if x.std() > 0 and y.std() > 0 else float("nan")
    return dict(recordings=len(keys), correlation=same, both_always_missed=int(np.sum((x == 0) & (y == 0))),
                both_always_heard=int(np.sum((x == 1) & (y == 1))))


def parse(arg: str) -> tuple[Path, float]:
    folder, _, threshold = arg.rpartition("@")
    if not folder:
        raise SystemExit(f"{arg!r}: give FOLDER@THRESHOLD, e.g. runs/proxy/wide_seed0_views15/jarvis@0.995")
    return Path(folder), float(threshold)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__)
        return 2
    rates = []
    for arg in args:
        folder, threshold = parse(arg)
        per_recording, per_snr = hit_rates(folder, threshold)
        rates.append(per_recording)
        snrs = ", ".join(f"{snr:g} dB {recall:.1%}" for snr, recall in per_snr.items())
        print(f"{folder} at {threshold:g}: recall {np.mean(list(per_recording.values())):.1%} "
              f"over {len(per_recording)} recordings; by SNR: {snrs}")
    if len(rates) >= 2:
        a = agreement(rates[0], rates[1])
        print(f"the first two: per-recording hit rates correlate {a['correlation']:.2f} over {a['recordings']} "
              f"recordings; {a['both_always_missed']} missed by both in every mix, "
              f"{a['both_always_heard']} heard by both in every mix")
    return 0


if __name__ == "__main__":
    sys.exit(main())
