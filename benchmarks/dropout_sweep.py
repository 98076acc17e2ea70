"""Which dropout rate? Short runs from scratch that differ only in the rate, judged on dev voices.

    .venv/bin/python benchmarks/dropout_sweep.py                      # 0.1, 0.2, 0.5; ~45 min on 2 cores
    .venv/bin/python benchmarks/dropout_sweep.py --rates 0.2 0.8 --steps 100

One full run takes 90 minutes here, so the sweep is short: every run sees the same batches
(same seed) for --steps steps, and is scored by its dev loss every 100 steps and by recall
and false alarms on dev mixes (train.judge, smaller). Short runs favour small rates (dropout
slows early fitting), so read it as "which rates are plainly worse", not as a tuned value.
Writes models/trigger/DROPOUT.md and .json (linked from the model card); models go to runs/, never to models/.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.trigger.training import train  # noqa: E402
from core.trigger.training.card import write_report  # noqa: E402
from core.trigger.voicebank.bank import no_bank_message  # noqa: E402

RATES = (0.1, 0.2, 0.5)
AT_THRESHOLD = 0.9  # one threshold for every rate: a short run's probabilities are not yet sharp


def sweep(bank, rates, steps: int, minutes: float, seed: int, dev_mixes: int, run_root) -> list[dict]:
    train.DEV_LOSS_EVERY = 100  # three points on a 300-step run instead of one
    rows = []
    for rate in rates:
        root = Path(run_root) / f"{rate:g}"
        m = train.train(bank, steps, minutes, seed, rate, root / "run", root / "model",
                        dev_events=dev_mixes, dev_negative_only=dev_mixes, command=f"dropout sweep, rate {rate:g}")
        at = min(m["curve"], key=lambda r: abs(r["threshold"] - AT_THRESHOLD))
        rows.append(dict(rate=rate, steps=m["steps"], dev_losses=m["dev_losses"], train_loss=m["final_train_loss"],
                         recall=at["recall"], false_alarms_per_hour=at["false_alarms_per_hour"],
                         dev_hours=m["dev_hours"], minutes=m["train_minutes"]))
        print(f"dropout {rate:g}: dev loss {m['dev_losses']}, recall {at['recall']:.1%}, "
              f"{at['false_alarms_per_hour']:.1f} false alarms/h at {AT_THRESHOLD}", flush=True)
    return rows


def markdown(rows, command: str) -> str:
    steps = sorted({s for r in rows for s, _ in r["dev_losses"]})
    lines = ["# Trigger-word detector: which dropout rate", "",
             f"`{command}` (`benchmarks/dropout_sweep.py`): runs from scratch on the same batches, differing "
             f"only in the rate of the four Dropout layers; dev voices training never heard "
             f"({rows[0]['dev_hours']:.2f} h of dev mixes per rate).", "",
             "| dropout | steps | " + " | ".join(f"dev loss, step {s}" for s in steps)
             + f" | training loss (last 100 steps) | recall at {AT_THRESHOLD} | false alarms/h at {AT_THRESHOLD} |",
             "|---|---|" + "---|" * (len(steps) + 3)]
    for r in rows:
        losses = dict(r["dev_losses"])
        lines.append(f"| {r['rate']:g} | {r['steps']} | " + " | ".join(f"{losses[s]:.4f}" if s in losses else "–" for s in steps)
                     + f" | {r['train_loss']:.4f} | {r['recall']:.1%} | {r['false_alarms_per_hour']:.1f} |")
    common = [s for s in steps if all(s in dict(r["dev_losses"]) for r in rows)]
    if common:
        best = min(rows, key=lambda r: dict(r["dev_losses"])[common[-1]])
        lines += ["", f"Lowest dev loss at step {common[-1]} (the last step every run reached): dropout "
                  f"{best['rate']:g}. Short runs favour small rates; the full run's own train/dev gap is in "
                  "the model card (\"Dropout\")."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", default="runs/trigger/bank")
    parser.add_argument("--rates", nargs="+", type=float, default=list(RATES))
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=14.0, help="cap per rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dev-mixes", type=int, default=200, help="dev mixes of each half (with / without 'activate')")
    parser.add_argument("--runs", default="runs/trigger/dropout")
    parser.add_argument("--out", default="models/trigger/DROPOUT.md", help="'-' to print only")
    args = parser.parse_args(argv)
    problem = no_bank_message(args.bank)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    rows = sweep(args.bank, args.rates, args.steps, args.minutes, args.seed, args.dev_mixes, args.runs)
    command = "python benchmarks/dropout_sweep.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    write_report(markdown(rows, command.strip()), rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
