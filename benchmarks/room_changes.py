"""What rings a spotter on the dev judge's real speech: abrupt changes of room, or distant talkers?

    .venv/bin/python benchmarks/room_changes.py models/embedding_spotter runs/spotter/activate_emb_f0_seed1

For each model folder: false alarms an hour on the dev judge's held-out real speech of other words
(training.spotter.judge's "real" part: the same held-out recordings and seeds, 3 h of 10 s mixes),
four ways. The background is either five 2 s pieces of different rooms butted end to end (the
judge's own mixes) or one room for the whole 10 s (as the proxy's mixes and a real room are), and
either with the judge's distant talkers (quiet real recordings under the room, one chance in four
for every 2 s, as often both ways) or with none. Butted pieces against one room is what abrupt
changes of room cost (a door, a song starting, a fan switching on); talkers against none is what
quiet speech in the background costs. Prints a row per threshold and, per model and way, the
lowest threshold within 1 false alarm an hour. Takes: --takes (the word's takes; the default the
shipped "activate"'s). ~6 min a model on 2 cores.
"""
import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.trigger import spotter  # noqa: E402
from core.trigger.training import evaluate  # noqa: E402
from core.trigger.training.spotter import (GOAL_FALSE_ALARMS, REAL_SPEECH_DIR, Judged, Sources,  # noqa: E402
                                           dev_sources, real_speech, real_speech_mixes)

THRESHOLDS = (0.8, 0.85, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98)
# (one_room, talkers) for each column, the judge's own first
WAYS = {"butted pieces, talkers (the judge)": (False, True), "one room, talkers": (True, True),
        "butted pieces, no talkers": (False, False), "one room, no talkers": (True, False)}


def false_alarm_rates(detector, dev: Sources, hours: float, one_room: bool, talkers: bool = True) -> dict:
    """{threshold: false alarms an hour} on judge()'s real-speech part, made one of the WAYS."""
    mixes = real_speech_mixes(dev, hours, one_room=one_room, talkers=talkers)
    probabilities = [detector.clip_probabilities(a) for a, _ in mixes]
    rows = evaluate.event_metrics(probabilities, [Judged(e) for _, e in mixes], THRESHOLDS, detector.refractory_steps)
    return {r["threshold"]: r["false_alarms_per_hour"] for r in rows}


def lowest_within(rates: dict, budget: float = GOAL_FALSE_ALARMS):
    return next((t for t in sorted(rates) if rates[t] <= budget), None)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="+", help="trained spotter or embedding-spotter folders")
    p.add_argument("--takes", default="runs/spotter/takes_activate")
    p.add_argument("--hours", type=float, default=3.0, help="hours of negative mixes each way (the judge's 3)")
    args = p.parse_args(argv)
    real = real_speech(REAL_SPEECH_DIR, ())
    for folder in args.models:
        metrics = json.loads((Path(folder) / "metrics.json").read_text())
        detector = spotter.load_detector(folder)
        dev = dev_sources(args.takes, real, seed=metrics["seed"])
        rates = {name: false_alarm_rates(detector, dev, args.hours, *way) for name, way in WAYS.items()}
        print(f"\n{folder} (default {detector.threshold:g}): false alarms an hour on {args.hours:g} h of held-out "
              "real speech")
        print("| threshold | " + " | ".join(rates) + " |\n|---|" + "---|" * len(rates))
        for t in THRESHOLDS:
            print(f"| {t:g} | " + " | ".join(f"{r[t]:.2f}" for r in rates.values()) + " |")
        print(f"| lowest within {GOAL_FALSE_ALARMS:g} an hour | "
              + " | ".join(str(lowest_within(r)) for r in rates.values()) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
