"""Train the date translator: `python -m core.dates.train [--epochs N] [--seed S]`.

Every epoch draws a fresh set of pairs from the generator (seeded by seed and epoch), so
the model never sees the same list twice and the held-out test set (drawn with another
seed) is new to it. A checkpoint is written after every epoch; run the same command
again to resume. At the end the weights, vocabularies, metrics and model card are written
under models/dates/.
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import keras
import numpy as np
from tqdm import tqdm

from core.dates import model as date_model
from core.dates.data import FAMILIES, FAMILY_WEIGHTS, DateGenerator, Tx, Ty, preprocess_data
from core.dates.decode import DateTranslator

EPOCHS = 16
PAIRS_PER_EPOCH = 160_000
BATCH_SIZE = 256
LEARNING_RATE = (3e-3, 2e-4)  # cosine from the first to the second over the run
TEST_PAIRS = 5_000
TEST_SEED_OFFSET = 1_000_003  # the test set's seed: far from every training seed
CHECKPOINT_DIR = Path("runs/dates")
REAL_WORLD_FILE = Path(__file__).resolve().parents[2] / "tests" / "dates" / "real_world_dates.tsv"


class TqdmBatches(keras.callbacks.Callback):
    """One progress bar per epoch, with the running loss."""

    def __init__(self, total: int, desc: str):
        super().__init__()
        self.bar = tqdm(total=total, desc=desc, unit="batch", file=sys.stdout, mininterval=5)

    def on_train_batch_end(self, batch, logs=None):
        self.bar.update(1)
        self.bar.set_postfix(loss=f"{logs['loss']:.4f}")

    def on_train_end(self, logs=None):
        self.bar.close()


def epoch_pairs(seed: int, epoch: int, m: int):
    return DateGenerator(seed * 1000 + epoch).dataset(m)


def evaluate(translator: DateTranslator, triples, train_texts: set[str] | None = None) -> dict:
    """Exact-match accuracy overall and per family, plus a few failures to look at."""
    results = translator.translate_many([t for t, _, _ in triples])
    per_family = defaultdict(lambda: [0, 0])
    unseen = [0, 0]
    failures = []
    for (text, answer, family), result in zip(triples, results):
        ok = result.answer == answer
        per_family[family][0] += ok
        per_family[family][1] += 1
        if train_texts is not None and text not in train_texts:
            unseen[0] += ok
            unseen[1] += 1
        if not ok and len(failures) < 25:
            failures.append({"input": text, "expected": answer, "got": result.answer})
    correct = sum(c for c, _ in per_family.values())
    report = {
        "exact_match": correct / len(triples), "n": len(triples),
        "per_family": {f: {"exact_match": c / n, "n": n} for f, (c, n) in sorted(per_family.items())},
        "failures": failures,
    }
    if train_texts is not None:
        report["unseen_in_training"] = {"exact_match": unseen[0] / max(unseen[1], 1), "n": unseen[1]}
    return report


def read_real_world(path: Path = REAL_WORLD_FILE):
    """Date strings as other projects write them (tests/dates/real_world_dates.tsv)."""
    rows = []
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            text, answer, source = line.split("\t")
            rows.append((text, answer, source))
    return rows


def write_model_card(metrics: dict, directory: Path) -> None:
    fam = metrics["test"]["per_family"]
    rows = "\n".join(f"| {f} | {FAMILY_WEIGHTS[f]:.0%} | {fam[f]['n']} | {fam[f]['exact_match']:.2%} |"
                     for f in FAMILIES if f in fam)
    rw = metrics["real_world"]
    rw_fail = "\n".join(f"- `{x['input']}` → expected `{x['expected']}`, got `{x['got']}`"
                        for x in rw["failures"]) or "- none"
    test_fail = "\n".join(f"- `{x['input']}` → expected `{x['expected']}`, got `{x['got']}`"
                          for x in metrics["test"]["failures"][:10]) or "- none"
    t = metrics["training"]
    card = f"""# Date translator: model card

A character-level translator from human-written dates to ISO 8601 (`YYYY-MM-DD`), the
course's attention model (week 3, "Neural Machine Translation") with one change: the
post-attention LSTM also receives the previous output character (teacher forcing in
training), so that beam search and scoring of any answer are meaningful.

## Shapes
Tx = {Tx} input characters, Ty = {Ty} output steps (10 characters + end symbol),
n_a = {date_model.n_a} (each direction of the Bi-LSTM), n_s = {date_model.n_s} (post-attention LSTM),
attention energies from Dense({date_model.N_ENERGY}, tanh) → Dense(1, relu) → softmax over Tx.
{t['parameters']:,} parameters; weights file {t['weights_bytes'] / 1e6:.1f} MB.
Answers: an ISO date, `?` (the text holds no date) or `!` (a date that is not on the calendar).

## How it was made
`{t['command']}`
- data: `core/dates/data.py`, a fresh set of {t['pairs_per_epoch']:,} generated pairs every epoch
  (seed {t['seed']} × 1000 + epoch), {t['epochs']} epochs, batch {BATCH_SIZE}, Adam with cosine
  learning rate {LEARNING_RATE[0]} → {LEARNING_RATE[1]}, loss = cross-entropy over the output steps up
  to and including the end symbol.
- trained on {t['machine']} in {t['minutes']:.0f} minutes; final training loss {t['final_loss']:.4f}.

## Test: {metrics['test']['n']:,} freshly generated pairs (seed {t['seed'] + TEST_SEED_OFFSET})
Exact match **{metrics['test']['exact_match']:.2%}**
(on the {metrics['test']['unseen_in_training']['n']:,} test inputs whose exact text never appeared in training:
{metrics['test']['unseen_in_training']['exact_match']:.2%}).

| family | share of data | n | exact match |
|---|---|---|---|
{rows}

Some test failures:
{test_fail}

## Real-world strings: {rw['n']} dates as other software and people write them
Exact match **{rw['exact_match']:.2%}** on `tests/dates/real_world_dates.tsv` (strings collected by
hand from library docs, logs, e-mail headers and forms; never used in training).
Failures:
{rw_fail}

## Limits
- `/` and `-` numeric dates are read month first (US); `.` and space day first; a leading
  four-digit year reads as year-month-day. "03/04/2020" is therefore 2020-03-04.
- Two-digit years: 69–99 → 1969–1999, 00–68 → 2000–2068. Four-digit years 1900–2099.
- English month and weekday names only; accents are folded, other non-ASCII reads as unknown.
"""
    (directory / "MODEL_CARD.md").write_text(card)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--pairs-per-epoch", type=int, default=PAIRS_PER_EPOCH)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoints", type=Path, default=CHECKPOINT_DIR)
    parser.add_argument("--out", type=Path, default=date_model.MODEL_DIR)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    model, encoder, step = date_model.build_models()
    optimizer = keras.optimizers.Adam(LEARNING_RATE[0])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")

    args.checkpoints.mkdir(parents=True, exist_ok=True)
    progress_file = args.checkpoints / "progress.json"
    progress = {"epoch": 0, "losses": [], "seconds": 0.0}
    if progress_file.exists():
        progress = json.loads(progress_file.read_text())
        model.load_weights(args.checkpoints / "checkpoint.weights.h5")
        print(f"resuming after epoch {progress['epoch']}")

    for epoch in range(progress["epoch"], args.epochs):
        lo, hi = LEARNING_RATE
        optimizer.learning_rate.assign(hi + 0.5 * (lo - hi) * (1 + math.cos(math.pi * epoch / args.epochs)))
        started = time.time()
        pairs = [(t, a) for t, a, _ in epoch_pairs(args.seed, epoch, args.pairs_per_epoch)]
        X, Y_in, Y_out = preprocess_data(pairs)
        weights = (Y_out != 0).astype("float32")
        steps = math.ceil(len(X) / BATCH_SIZE)
        history = model.fit([X, Y_in], Y_out, sample_weight=weights, batch_size=BATCH_SIZE,
                            epochs=1, verbose=0, shuffle=True,
                            callbacks=[TqdmBatches(steps, f"epoch {epoch + 1}/{args.epochs}")])
        model.save_weights(args.checkpoints / "checkpoint.weights.h5")
        progress["epoch"] = epoch + 1
        progress["losses"].append(float(history.history["loss"][-1]))
        progress["seconds"] += time.time() - started
        progress_file.write_text(json.dumps(progress))

    date_model.save(model, args.out)
    translator = DateTranslator(encoder, step)
    train_texts = {t for e in range(args.epochs)
                   for t, _, _ in epoch_pairs(args.seed, e, args.pairs_per_epoch)}
    test = DateGenerator(args.seed + TEST_SEED_OFFSET).dataset(TEST_PAIRS)
    metrics = {
        "test": evaluate(translator, test, train_texts),
        "real_world": evaluate(translator, read_real_world()),
        "training": {
            "command": "python -m core.dates.train " + " ".join(argv if argv is not None else sys.argv[1:]),
            "seed": args.seed, "epochs": args.epochs, "pairs_per_epoch": args.pairs_per_epoch,
            "losses": progress["losses"], "final_loss": progress["losses"][-1],
            "minutes": progress["seconds"] / 60, "parameters": model.count_params(),
            "weights_bytes": (args.out / date_model.WEIGHTS_FILE).stat().st_size,
            "machine": f"{platform.machine()} CPU ({platform.system()}), 2 cores",
        },
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    write_model_card(metrics, args.out)
    print(f"test exact match {metrics['test']['exact_match']:.4%}, "
          f"real-world {metrics['real_world']['exact_match']:.2%}")
    for family, row in metrics["test"]["per_family"].items():
        print(f"  {family:12s} {row['exact_match']:.4%}  (n={row['n']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
