"""Average the weights of two training stages, and judge the result as training does.

    python -m core.trigger.training.average runs/trigger/stage1 runs/trigger/stage2/model --alpha 0.5 --out models/trigger

A second stage that draws confusable words more often cuts false alarms but forgets some
"activate"s (README, "Trigger word"). Its weights and its starting point's lie in one basin,
so the straight line between them holds models in between; the weights halfway along often
keep most of the gain and most of the recall (Wortsman et al., "Robust fine-tuning of
zero-shot models", 2022). No training happens here: (1 − alpha) · first + alpha · second for
every weight, BatchNorm statistics included, then the dev judging of core.trigger.training.train.
"""
from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
from pathlib import Path


def mix_weights(first, second, alpha: float) -> list:
    """(1 − alpha) · first + alpha · second, weight by weight (lists of numpy arrays)."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
    if [w.shape for w in first] != [w.shape for w in second]:
        raise ValueError("the two models have different weight shapes")
    return [(1.0 - alpha) * a + alpha * b for a, b in zip(first, second)]


def average(first_dir, second_dir, alpha: float, bank_dir, out_dir, command: str = "") -> dict:
    """Write the averaged model, its metrics.json and MODEL_CARD.md to out_dir; returns the metrics.

    second_dir must have been trained from first_dir (its stages start with first_dir's):
    averaging two unrelated models gives noise, not a model in between.
    """
    from core.trigger import model as trigger_model
    from core.trigger.training.card import stages_of, write_card
    from core.trigger.training.train import DEV_SEED, judge, load_data

    first_metrics, second_metrics = (json.loads((Path(d) / "metrics.json").read_text())
                                     for d in (first_dir, second_dir))
    first_stages, second_stages = stages_of(first_metrics), stages_of(second_metrics)
    if [s["command"] for s in second_stages[:len(first_stages)]] != [s["command"] for s in first_stages]:
        raise ValueError(f"{second_dir} was not trained from {first_dir}: its stages do not start with theirs")
    first, first_config = trigger_model.load(first_dir)
    second, _ = trigger_model.load(second_dir)
    first.set_weights(mix_weights(first.get_weights(), second.get_weights(), alpha))
    data = load_data(bank_dir, DEV_SEED)
    metrics = dict(
        steps=0, examples_seen=0, train_minutes=0.0,
        # the card's dropout note and dev losses are those of the first model's run
        final_train_loss=first_metrics["final_train_loss"], dev_losses=first_metrics["dev_losses"],
        dropout=first_config.get("dropout"), seed=DEV_SEED, **judge(first, data),
        machine=f"{platform.machine()} CPU ({platform.system()})", command=command, alpha=alpha)
    # the bank gives dev voices; the training voices are those the two models heard, which
    # with --more-bank include other banks' (read from their metrics, not from bank_dir)
    metrics["voices_train"] = sorted(set(metrics["voices_train"]) | set(first_metrics.get("voices_train", []))
                                     | set(second_metrics.get("voices_train", [])))
    metrics["stages"] = second_stages + [dict(kind="average", command=command, alpha=alpha,
                                              of=[len(first_stages), len(second_stages)],
                                              folders=[str(first_dir), str(second_dir)],
                                              machine=metrics["machine"])]
    trigger_model.save(first, out_dir, threshold=metrics["threshold"], dropout=metrics["dropout"],
                       refractory_steps=75)
    write_card(out_dir, metrics)
    return metrics


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.trigger.training.average", description=__doc__.splitlines()[0])
    parser.add_argument("first", help="a model folder (the earlier stage)")
    parser.add_argument("second", help="a model folder trained from the first (--start-from)")
    parser.add_argument("--alpha", type=float, default=0.5, help="0: the first model, 1: the second")
    parser.add_argument("--bank", default="runs/trigger/bank", help="the voice bank training used (for dev voices)")
    parser.add_argument("--out", required=True, help="where the averaged model goes (e.g. models/trigger)")
    args = parser.parse_args(argv)
    from core.trigger.voicebank.bank import no_bank_message

    problem = no_bank_message(args.bank)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    command = "python -m core.trigger.training.average " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        m = average(args.first, args.second, args.alpha, args.bank, args.out, command)
    except (ValueError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"threshold {m['threshold']}: recall {m['recall']:.1%}, {m['false_alarms_per_hour']:.2f} false alarms/hour")
    return 0


if __name__ == "__main__":
    sys.exit(main())
