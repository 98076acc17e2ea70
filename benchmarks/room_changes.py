"""Does a trained spotter ring when the room changes abruptly? Its dev false alarms, both ways.

    .venv/bin/python benchmarks/room_changes.py models/embedding_spotter runs/spotter/activate_emb_f0_seed1

For each model folder: false alarms an hour on the dev judge's held-out real speech of other words
(training.spotter.judge's "real" part: the same held-out recordings, seeds and 3 h of 10 s mixes),
once with every mix over one room for its 10 s (the judge since 2026-12-08) and once over five
2 s pieces of different rooms butted end to end (the judge before). The difference is what abrupt
changes of room cost, the ones a door, a song starting or a fan switching on make in a real room.
Prints a row per threshold and, per model, the lowest threshold within 1 false alarm an hour each
way. Takes: --takes (the word's takes; the default: the shipped "activate"'s). ~1.5 min a model
and a way on 2 cores.
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
                                           dev_sources, event_mixes, real_speech)

THRESHOLDS = (0.8, 0.85, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98)


def false_alarm_rates(detector, dev: Sources, hours: float, one_room: bool) -> dict:
    """{threshold: false alarms an hour} on judge()'s real-speech part, over one room or pieces."""
    real_only = Sources([], [], [], dev.real, dev.backgrounds, dev.tones)
    mixes = event_mixes(real_only, max(1, int(round(hours * 360))), 1, False, one_room=one_room)
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
        one, pieces = (false_alarm_rates(detector, dev, args.hours, way) for way in (True, False))
        print(f"\n{folder} (default {detector.threshold:g}): false alarms an hour on {args.hours:g} h of held-out "
              "real speech")
        print("| threshold | one room per mix | five butted 2 s pieces |\n|---|---|---|")
        for t in THRESHOLDS:
            print(f"| {t:g} | {one[t]:.2f} | {pieces[t]:.2f} |")
        print(f"lowest within {GOAL_FALSE_ALARMS:g} an hour: one room {lowest_within(one)}, pieces {lowest_within(pieces)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
