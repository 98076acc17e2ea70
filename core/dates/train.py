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
from core.dates.data import (FAMILIES, FAMILY_WEIGHTS, ORDER_WEIGHTS, ORDERS, DateGenerator, Tx, Ty,
                             human_vocab, preprocess_data)
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
    """(text, answer, family, order) rows for one epoch, reading orders mixed."""
    return DateGenerator(seed * 1000 + epoch).training_set(m)


def start_from(model, directory: Path) -> None:
    """Copy a trained translator's weights into `model` (its Tx may differ: no weight depends on it).

    When the human vocabulary has grown (the reading-order marks were added after the first
    model), the old symbols keep their input weights and the new symbols' rows start random.
    """
    config = json.loads((directory / date_model.CONFIG_FILE).read_text())
    old_vocab = list(config["human_vocab"].items())
    if old_vocab != list(human_vocab.items())[: len(old_vocab)]:
        raise ValueError(f"{directory}: its vocabulary is not a prefix of today's")
    old, _, _ = date_model.build_models(tx=config["Tx"], human_vocab_size=len(old_vocab), prefix="old_")
    old.load_weights(directory / date_model.WEIGHTS_FILE)
    for layer in model.layers:
        if not layer.weights:
            continue
        merged = []
        for new, trained in zip(layer.get_weights(), old.get_layer(layer.name).get_weights()):
            if new.shape != trained.shape:  # the input rows of the encoder's kernels
                new = new.copy()
                new[: trained.shape[0]] = trained
                trained = new
            merged.append(trained)
        layer.set_weights(merged)


def evaluate(translator: DateTranslator, rows, train_texts: set[str] | None = None) -> dict:
    """Exact-match accuracy overall, per family and per reading order, plus failures to look at.

    rows are (text, answer, family) or (text, answer, family, order); without an order it is auto.
    """
    rows = [(*row[:3], row[3] if len(row) > 3 else "auto") for row in rows]
    results = [None] * len(rows)
    for order in ORDERS:
        picked = [i for i, row in enumerate(rows) if row[3] == order]
        for i, result in zip(picked, translator.translate_many([rows[i][0] for i in picked], order)):
            results[i] = result
    per_family = defaultdict(lambda: [0, 0])
    per_order = defaultdict(lambda: [0, 0])
    unseen = [0, 0]
    failures = []
    for (text, answer, family, order), result in zip(rows, results):
        ok = result.answer == answer
        per_family[family][0] += ok
        per_family[family][1] += 1
        per_order[order][0] += ok
        per_order[order][1] += 1
        if train_texts is not None and text not in train_texts:
            unseen[0] += ok
            unseen[1] += 1
        if not ok and len(failures) < 40:
            failures.append({"input": text, "expected": answer, "got": result.answer, "order": order})
    correct = sum(c for c, _ in per_family.values())
    report = {
        "exact_match": correct / len(rows), "n": len(rows),
        "per_family": {f: {"exact_match": c / n, "n": n} for f, (c, n) in sorted(per_family.items())},
        "per_order": {o: {"exact_match": c / n, "n": n} for o, (c, n) in sorted(per_order.items())},
        "failures": failures,
    }
    if train_texts is not None:
        report["unseen_in_training"] = {"exact_match": unseen[0] / max(unseen[1], 1), "n": unseen[1]}
    return report


def read_real_world(path: Path = REAL_WORLD_FILE):
    """Date strings as other projects write them (tests/dates/real_world_dates.tsv).

    Rows are (text, answer, kind, order): kind is the source's name, order how the source
    reads numbers (a 3-column file has no order column: auto).
    """
    rows = []
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            text, answer, *rest = fields
            order, source = (rest[0], rest[1]) if len(rest) > 1 else ("auto", rest[0])
            rows.append((text, answer, source, order))
    return rows


def write_model_card(metrics: dict, directory: Path) -> None:
    fam = metrics["test"]["per_family"]
    rows = "\n".join(f"| {f} | {FAMILY_WEIGHTS[f]:.0%} | {fam[f]['n']} | {fam[f]['exact_match']:.2%} |"
                     for f in FAMILIES if f in fam)
    rw = metrics["real_world"]
    rw_fail = "\n".join(f"- `{x['input']}` ({x.get('order', 'auto')}) → expected `{x['expected']}`, got `{x['got']}`"
                        for x in rw["failures"]) or "- none"
    test_fail = "\n".join(f"- `{x['input']}` ({x.get('order', 'auto')}) → expected `{x['expected']}`, got `{x['got']}`"
                          for x in metrics["test"]["failures"][:10]) or "- none"
    orders = "\n".join(f"| {o} | {ORDER_WEIGHTS[o]:.0%} | {row['n']} | {row['exact_match']:.2%} | "
                       f"{rw['per_order'].get(o, {}).get('n', 0)} | "
                       + (f"{rw['per_order'][o]['exact_match']:.2%} |" if o in rw["per_order"] else "— |")
                       for o, row in metrics["test"]["per_order"].items())
    t = metrics["training"]
    start = (f"fine-tuned from `{t['start_from']}` (its weights copied, the new input symbols' rows "
             "started random)" if t.get("start_from") else "trained from random weights")
    lineage = ""
    if t.get("lineage"):  # the earlier rounds this model was fine-tuned from, oldest first
        lineage = "\nEarlier rounds, oldest first (each fine-tuned from the one before):\n" + "\n".join(
            f"{i}. `{row['command']}`: {row['what']}" for i, row in enumerate(t["lineage"], 1)) + "\n"
    card = f"""# Date translator: model card

A character-level translator from human-written dates to ISO 8601 (`YYYY-MM-DD`), the
course's attention model (week 3, "Neural Machine Translation") with one change: the
post-attention LSTM also receives the previous output character (teacher forcing in
training), so that beam search and scoring of any answer are meaningful.

## Shapes
Tx = {Tx} input positions (a reading-order symbol, then up to {Tx - 1} characters; longer text is
read in windows of {Tx - 1}), Ty = {Ty} output steps (10 characters + end symbol),
n_a = {date_model.n_a} (each direction of the Bi-LSTM), n_s = {date_model.n_s} (post-attention LSTM),
attention energies from Dense({date_model.N_ENERGY}, tanh) → Dense(1, relu) → softmax over Tx.
{t['parameters']:,} parameters; weights file {t['weights_bytes'] / 1e6:.1f} MB.
Answers: an ISO date, `?` (the text holds no date) or `!` (a date that is not on the calendar).

## How it was made
`{t['command']}`
- {start};
- data: `core/dates/data.py`, a fresh set of {t['pairs_per_epoch']:,} generated pairs every epoch
  (seed {t['seed']} × 1000 + epoch), each with a reading order drawn (auto 40%, mdy, dmy, ymd 20% each),
  {t['epochs']} epochs, batch {BATCH_SIZE}, Adam with cosine learning rate
  {t.get('learning_rate', LEARNING_RATE)[0]} → {t.get('learning_rate', LEARNING_RATE)[1]}, loss = cross-entropy
  over the output steps up to and including the end symbol.
- trained on {t['machine']} in {t['minutes']:.0f} minutes; final training loss {t['final_loss']:.4f}.
{lineage}
## Test: {metrics['test']['n']:,} freshly generated pairs (seed {t['seed'] + TEST_SEED_OFFSET})
Exact match **{metrics['test']['exact_match']:.2%}**
(on the {metrics['test']['unseen_in_training']['n']:,} test inputs whose exact text never appeared in training:
{metrics['test']['unseen_in_training']['exact_match']:.2%}).

| family | share of data | n | exact match |
|---|---|---|---|
{rows}

By reading order (generated test, and the real-world strings by the order their source reads them):

| order | share of training | test n | test exact match | real-world n | real-world exact match |
|---|---|---|---|---|---|
{orders}

Some test failures:
{test_fail}

## Real-world strings: {rw['n']} dates as other software and people write them
Exact match **{rw['exact_match']:.2%}** on `tests/dates/real_world_dates.tsv` (strings collected
from other projects' tests and docs, with the reading order their source uses; see
`tests/dates/REAL_WORLD_SOURCES.md`; never used in training). Not blind any more: round 2's
89.13% was measured before anyone looked at its failures; the data of the later rounds added
kinds of text seen among them (partial dates in sentences, dotted times, digit-only
date-times, Python log lines), so the issue's hidden set is the fair judge of this figure.
Failures:
{rw_fail}

## Limits
- All-numeric dates follow the reading order (`auto` by default: `/` and `-` month first (US),
  `.` and space day first; `mdy`, `dmy`, `ymd` on request); a number over 12 is never the
  month, a leading four-digit year reads year-month-day. "03/04/2020" in auto is therefore
  2020-03-04. Text longer than 48 characters is read in windows: the most confident date wins,
  which in long text full of numbers (legal names, log lines) is sometimes the wrong one.
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
    parser.add_argument("--start-from", type=Path, help="a trained model folder to fine-tune")
    parser.add_argument("--learning-rate", type=float, nargs=2, default=LEARNING_RATE,
                        metavar=("FIRST", "LAST"), help="cosine schedule from FIRST to LAST")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    model, encoder, step = date_model.build_models()
    if args.start_from:
        start_from(model, args.start_from)
    optimizer = keras.optimizers.Adam(args.learning_rate[0])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")

    args.checkpoints.mkdir(parents=True, exist_ok=True)
    progress_file = args.checkpoints / "progress.json"
    progress = {"epoch": 0, "losses": [], "seconds": 0.0}
    if progress_file.exists():
        progress = json.loads(progress_file.read_text())
        model.load_weights(args.checkpoints / "checkpoint.weights.h5")
        print(f"resuming after epoch {progress['epoch']}")

    for epoch in range(progress["epoch"], args.epochs):
        lo, hi = args.learning_rate
        optimizer.learning_rate.assign(hi + 0.5 * (lo - hi) * (1 + math.cos(math.pi * epoch / args.epochs)))
        started = time.time()
        pairs = [(t, a, o) for t, a, _, o in epoch_pairs(args.seed, epoch, args.pairs_per_epoch)]
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
                   for t, *_ in epoch_pairs(args.seed, e, args.pairs_per_epoch)}
    test = DateGenerator(args.seed + TEST_SEED_OFFSET).training_set(TEST_PAIRS)
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
            "start_from": str(args.start_from) if args.start_from else None,
            "learning_rate": list(args.learning_rate),
        },
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    write_model_card(metrics, args.out)
    print(f"test exact match {metrics['test']['exact_match']:.4%}, "
          f"real-world {metrics['real_world']['exact_match']:.2%}")
    for family, row in metrics["test"]["per_family"].items():
        print(f"  {family:12s} {row['exact_match']:.4%}  (n={row['n']})")
    for order, row in metrics["test"]["per_order"].items():
        print(f"  order {order:6s} {row['exact_match']:.4%}  (n={row['n']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
