"""Train the course's trigger-word model on examples made on the fly.

    python -m core.trigger bank --out runs/trigger/bank --activates 1200 --negatives 1200 --backgrounds 16 --seed 1
    python -m core.trigger.training.train --bank runs/trigger/bank --steps 2000 --minutes 110

Every step draws a fresh batch of 16 ten-second examples (the course's create_training_example
over the bank's training voices, augmented, plus real recorded negatives), so there is no
stored X. Every
CHECKPOINT_EVERY steps the model, optimizer and progress go to runs/trigger/, and running the
same command again resumes there. At the end (or when --minutes runs out) the model is judged
on dev voices and dev real negatives, the threshold is chosen, and models/trigger/ gets the
weights, config.json, metrics.json and MODEL_CARD.md.
"""
from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from core.trigger.voicebank.bank import REAL_DEV_EVERY  # the split every real recording is held out by

RUN_DIR = Path("runs/trigger")
CHECKPOINT = "checkpoint.keras"
PROGRESS = "progress.json"
CHECKPOINT_EVERY = 50
DEV_LOSS_EVERY = 200
BATCH_SIZE = 16
LEARNING_RATE, FINAL_LEARNING_RATE = 1e-3, 1e-4
DEV_EVENTS, DEV_NEGATIVE_ONLY = 400, 400  # 800 × 10 s ≈ 2.2 hours of dev audio
HARD_SCORE = 0.5  # a training negative the model gives this much somewhere is a hard one (mining)
DEV_SEED = 0  # dev mixes come from this seed whatever the training seed: every stage is judged on the same audio


def split_real_negatives(clips):
    """(train, dev): every REAL_DEV_EVERY-th recording goes to dev."""
    train = [c for i, c in enumerate(clips) if i % REAL_DEV_EVERY != REAL_DEV_EVERY - 1]
    dev = [c for i, c in enumerate(clips) if i % REAL_DEV_EVERY == REAL_DEV_EVERY - 1]
    return train, dev


def load_data(bank_dir, seed: int, confusable_weight: int = 1, more_banks=(), real_split=None,
              confusable_words=None):
    """Train and dev clips, backgrounds and an augmenter.

    confusable_weight: how many times each training clip of a word that sounds like part of
    "activate" (bank.CONFUSABLES) is drawn as often as another negative; dev is never weighted.
    more_banks: further bank folders (another --seed) whose training-voice clips join training,
    more takes of every word at other speeds and pitches; their dev-voice clips are dropped, so
    dev is the first bank's alone.
    real_split: (train, dev) lists of real recorded negatives to use instead of
    split_real_negatives(real_negatives()) (benchmarks/real_voice_proxy.py leaves a word out);
    confusable_words: the words confusable_weight applies to (default bank.CONFUSABLES).
    """
    from core.trigger.training.dataset import generated_backgrounds
    from core.trigger.voicebank.augment import Augmenter
    from core.trigger.voicebank.bank import CONFUSABLES, load_bank, real_negatives, split_bank

    train, dev = split_bank(load_bank(bank_dir))
    more = [split_bank(load_bank(folder))[0] for folder in more_banks]
    real_train, real_dev = (split_real_negatives(real_negatives()) if real_split is None
                            else (list(real_split[0]), list(real_split[1])))
    babble = [(clip, 44100) for clip in train.negatives]
    negatives = [(c, row) for b in [train, *more] for c, row in zip(b.negatives, b.negative_info)]
    confusable_words = CONFUSABLES if confusable_words is None else tuple(confusable_words)
    confusables = [c for c, row in negatives if row["text"] in confusable_words]
    data = dict(
        negative_pool=[c for c, _ in negatives] + real_train,  # every training negative once (mining scores these)
        train_activates=list(train.activates) + [c for b in more for c in b.activates],
        train_negatives=[c for c, _ in negatives] + confusables * (confusable_weight - 1) + real_train,
        dev_activates=dev.activates, dev_negatives=list(dev.negatives) + real_dev,
        train_backgrounds=list(train.backgrounds[::2]) + generated_backgrounds(24, seed, babble),
        dev_backgrounds=list(train.backgrounds[1::2]) + generated_backgrounds(
            12, DEV_SEED + 1000, [(clip, 44100) for clip in dev.negatives]),
        augmenter=Augmenter(),
        voices_train=sorted({r["voice_id"] for b in [train, *more] for r in b.activate_info + b.negative_info}),
        voices_dev=sorted({r["voice_id"] for r in dev.activate_info + dev.negative_info}),
        dev_main_voice=main_voice(dev),
        real_train=len(real_train), real_dev=len(real_dev))
    return data


def main_voice(dev) -> dict:
    """The voice that says the most dev clips, and how many of each kind it says: the engines
    take turns in a bank, so a voice from an engine with few voices can say a third of dev."""
    from collections import Counter

    voice, _ = Counter(r["voice_id"] for r in dev.activate_info + dev.negative_info).most_common(1)[0]
    return dict(voice=voice, activates=sum(r["voice_id"] == voice for r in dev.activate_info),
                negatives=sum(r["voice_id"] == voice for r in dev.negative_info),
                of_activates=len(dev.activate_info), of_negatives=len(dev.negative_info))


def mine_hard_negatives(model, data, seed: int, score: float = HARD_SCORE, chunk: int = 64) -> list[int]:
    """Indices (into data["negative_pool"]) of the training negatives the model fires on.

    Each clip is placed alone, augmented, over a training background, as in training; it is
    hard when the model's highest probability there reaches `score`. Drawing these more often
    aims training at what it still confuses (hard-negative mining), where drawing whole word
    lists more often (confusable_weight) also repeats clips it already rejects.
    """
    from core.trigger.synth import make_example
    from core.trigger.training import evaluate

    rng = np.random.default_rng([seed, 99])
    predict, augmenter, pool = evaluate.predictor(model), data["augmenter"], data["negative_pool"]
    hard = []
    for start in range(0, len(pool), chunk):
        xs = []
        for clip in pool[start:start + chunk]:
            background = data["train_backgrounds"][int(rng.integers(len(data["train_backgrounds"])))]
            example = make_example(background, data["train_activates"], [clip], rng=rng, n_activates=0,
                                   n_negatives=1, augment_clip=augmenter.augment_clip,
                                   augment_recording=augmenter.augment_recording)
            xs.append(example.x.T.astype(np.float32))
        hard += [start + i for i, p in enumerate(predict(xs)) if float(np.max(p)) >= score]
    return hard


def make_step_batch(data, seed: int, step: int, batch_size: int):
    """The batch for one step, from its own seed: a resumed run sees the same examples.

    Made in the training thread: a producer thread measured twice as slow here (it fights
    TensorFlow for the two cores and the GIL) as making the batch first (+0.5 s a step).
    """
    from core.trigger.training.dataset import make_batch

    rng = np.random.default_rng([seed, step])
    return make_batch(data["train_activates"], data["train_negatives"], data["train_backgrounds"],
                      batch_size, rng, data["augmenter"])


def resident_megabytes() -> int:
    try:
        return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024
    except (OSError, IndexError, ValueError):
        return 0


def learning_rate(step: int, total: int, start: float = LEARNING_RATE) -> float:
    """Cosine from `start` to a tenth of it (LEARNING_RATE → FINAL_LEARNING_RATE) over the run."""
    progress = min(1.0, step / max(1, total))
    final = start * FINAL_LEARNING_RATE / LEARNING_RATE
    return final + 0.5 * (start - final) * (1 + np.cos(np.pi * progress))


def judge(model, data, dev_events: int = DEV_EVENTS, dev_negative_only: int = DEV_NEGATIVE_ONLY) -> dict:
    """The dev figures of the model card: 10 s mixes of held-out voices (half with 0–4
    "activate", half negatives only) from seeds DEV_SEED+2 and DEV_SEED+3, the recall /
    false-alarm curve over thresholds and the default threshold evaluate.choose_threshold picks."""
    from core.trigger.training import evaluate

    examples = list(evaluate.make_dev_examples(data["dev_activates"], data["dev_negatives"], data["dev_backgrounds"],
                                               dev_events, DEV_SEED + 2, data["augmenter"]))
    examples += list(evaluate.make_dev_examples(data["dev_activates"], data["dev_negatives"],
                                                data["dev_backgrounds"], dev_negative_only, DEV_SEED + 3,
                                                data["augmenter"], negatives_only=True))
    probabilities = evaluate.predict(model, examples)
    rows = evaluate.event_metrics(probabilities, examples)
    chosen = evaluate.choose_threshold(rows)
    return dict(threshold=chosen["threshold"], recall=chosen["recall"],
                false_alarms_per_hour=chosen["false_alarms_per_hour"],
                frame_accuracy=evaluate.frame_accuracy(probabilities, examples, 0.5),
                frame_accuracy_at_threshold=evaluate.frame_accuracy(probabilities, examples, chosen["threshold"]),
                dev_hours=len(examples) * 10 / 3600, dev_activates=chosen["activates"], curve=rows,
                voices_train=data["voices_train"], voices_dev=data["voices_dev"],
                dev_main_voice=data["dev_main_voice"],
                real_negatives_train=data["real_train"], real_negatives_dev=data["real_dev"])


def train(bank_dir, steps: int, minutes: float | None, seed: int, dropout: float, run_dir=RUN_DIR,
          out_dir=None, batch_size: int = BATCH_SIZE, dev_events: int = DEV_EVENTS,
          dev_negative_only: int = DEV_NEGATIVE_ONLY, command: str = "", start_from=None,
          confusable_weight: int = 1, start_learning_rate: float = LEARNING_RATE, more_banks=(),
          hard_negative_weight: int = 1, real_split=None, confusable_words=None) -> dict:
    """Train (or resume) and judge; start_from: a model folder whose weights are the starting
    point (a second stage), else a fresh model; more_banks: see load_data;
    hard_negative_weight > 1: the starting model's hard negatives (mine_hard_negatives) are
    drawn that many times as often, mined once at the start and kept for a resume;
    real_split, confusable_words: see load_data."""
    import keras
    from tqdm import tqdm

    from core.trigger import model as trigger_model
    from core.trigger.training import evaluate
    from core.trigger.training.card import stage_summary, stages_of, write_card

    keras.utils.set_random_seed(seed)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    data = load_data(bank_dir, seed, confusable_weight, more_banks, real_split, confusable_words)
    progress_path = run_dir / PROGRESS
    if (run_dir / CHECKPOINT).exists() and progress_path.exists():
        model = keras.models.load_model(run_dir / CHECKPOINT)
        progress = json.loads(progress_path.read_text())
        print(f"resuming at step {progress['step']} of {steps}")
    else:
        if start_from:
            from core.trigger.synth import Tx, n_freq

            model, start_config = trigger_model.load(start_from, input_shape=(Tx, n_freq))
            dropout = start_config.get("dropout", dropout)
        else:
            model = trigger_model.build_model(dropout=dropout)
        model.compile(keras.optimizers.Adam(start_learning_rate), loss="binary_crossentropy")
        progress = {"step": 0, "losses": [], "dev_losses": [], "seconds": 0.0, "dropout": dropout,
                    "seed": seed, "batch_size": batch_size, "start_from": str(start_from) if start_from else None,
                    "confusable_weight": confusable_weight, "learning_rate": start_learning_rate,
                    "hard_negative_weight": hard_negative_weight, "hard_negatives": []}
        if hard_negative_weight > 1:
            print("mining hard negatives …")
            progress["hard_negatives"] = mine_hard_negatives(model, data, seed)
            print(f"{len(progress['hard_negatives'])} of {len(data['negative_pool'])} training negatives are hard")
    hard = progress.get("hard_negatives", [])
    data["train_negatives"] += [data["negative_pool"][i] for i in hard] * (progress.get("hard_negative_weight", 1) - 1)
    dev_batch = [e for e in evaluate.make_dev_examples(data["dev_activates"], data["dev_negatives"],
                                                        data["dev_backgrounds"], 48, DEV_SEED + 1, data["augmenter"])]
    dev_x, dev_y = np.stack([e.x for e in dev_batch]), np.stack([e.y[:, None] for e in dev_batch])
    deadline = time.time() + 60 * minutes if minutes else None
    started = time.time() - progress["seconds"]
    bar = tqdm(total=steps, initial=progress["step"], unit="step", desc="trigger word")
    while progress["step"] < steps and (deadline is None or time.time() < deadline):
        x, y = make_step_batch(data, seed, progress["step"], batch_size)
        model.optimizer.learning_rate.assign(learning_rate(progress["step"], steps,
                                                           progress.get("learning_rate", LEARNING_RATE)))
        loss = float(model.train_on_batch(x, y))
        progress["step"] += 1
        progress["losses"].append(round(loss, 5))
        bar.update(1)
        bar.set_postfix(loss=f"{np.mean(progress['losses'][-50:]):.4f}", rss_mb=resident_megabytes())
        if progress["step"] % DEV_LOSS_EVERY == 0:
            dev_loss = float(model.evaluate(dev_x, dev_y, batch_size=16, verbose=0))
            progress["dev_losses"].append([progress["step"], round(dev_loss, 5)])
            bar.write(f"step {progress['step']}: dev loss {dev_loss:.4f}")
        if progress["step"] % CHECKPOINT_EVERY == 0:
            progress["seconds"] = time.time() - started
            model.save(run_dir / CHECKPOINT)
            progress_path.write_text(json.dumps(progress))
    bar.close()
    progress["seconds"] = time.time() - started
    model.save(run_dir / CHECKPOINT)
    progress_path.write_text(json.dumps(progress))
    if progress["step"] < steps:
        print(f"stopped at step {progress['step']} (--minutes); the same command resumes; evaluating now")

    print("judging on dev voices …")
    metrics = dict(
        steps=progress["step"], examples_seen=progress["step"] * batch_size,
        train_minutes=round(progress["seconds"] / 60, 1), final_train_loss=float(np.mean(progress["losses"][-100:])),
        dev_losses=progress["dev_losses"], dropout=progress["dropout"], seed=seed,
        **judge(model, data, dev_events, dev_negative_only),
        machine=f"{platform.machine()} CPU ({platform.system()})", command=command,
        learning_rate=progress.get("learning_rate", LEARNING_RATE),
        confusable_weight=progress.get("confusable_weight", 1),
        hard_negative_weight=progress.get("hard_negative_weight", 1), hard_negatives=len(hard),
        more_banks=[json.loads(Path(b, "manifest.json").read_text()).get("made_by", str(b)) for b in more_banks])
    earlier = []
    if progress.get("start_from"):
        earlier = stages_of(json.loads((Path(progress["start_from"]) / "metrics.json").read_text()))
    metrics["stages"] = earlier + [stage_summary(metrics)]
    out_dir = Path(out_dir or trigger_model.MODEL_DIR)
    trigger_model.save(model, out_dir, threshold=metrics["threshold"], dropout=progress["dropout"],
                       refractory_steps=75)
    write_card(out_dir, metrics)
    print(f"threshold {metrics['threshold']}: recall {metrics['recall']:.1%}, "
          f"{metrics['false_alarms_per_hour']:.2f} false alarms/hour, frame accuracy {metrics['frame_accuracy']:.3f}")
    return metrics


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.trigger.training.train", description=__doc__.splitlines()[0])
    parser.add_argument("--bank", default="runs/trigger/bank", help="voice bank folder (python -m core.trigger bank)")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=None, help="stop (and evaluate) after this many minutes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=None)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--run-dir", default=str(RUN_DIR))
    parser.add_argument("--out", default=None, help="where the model goes (default models/trigger)")
    parser.add_argument("--dev-events", type=int, default=DEV_EVENTS)
    parser.add_argument("--dev-negative-only", type=int, default=DEV_NEGATIVE_ONLY)
    parser.add_argument("--start-from", default=None,
                        help="a model folder (e.g. models/trigger) to continue from instead of a fresh model")
    parser.add_argument("--confusable-weight", type=int, default=1,
                        help="draw each confusable word's clips this many times as often as other negatives")
    parser.add_argument("--more-bank", action="append", default=[], metavar="DIR",
                        help="another voice bank (another --seed) whose training-voice clips join training")
    parser.add_argument("--hard-negative-weight", type=int, default=1,
                        help="draw the training negatives the starting model fires on this many times as often")
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE,
                        help="starting learning rate (cosine down to a tenth of it)")
    parser.add_argument("--card", action="store_true",
                        help="only rewrite MODEL_CARD.md from the model folder's metrics.json")
    args = parser.parse_args(argv)
    from core.trigger.model import DROPOUT, MODEL_DIR
    from core.trigger.training.card import rewrite_card
    from core.trigger.voicebank.bank import no_bank_message

    if args.card:
        rewrite_card(args.out or MODEL_DIR)
        return 0

    problem = no_bank_message(args.bank)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    command = "python -m core.trigger.training.train " + shlex.join(sys.argv[1:] if argv is None else argv)
    train(args.bank, args.steps, args.minutes, args.seed, DROPOUT if args.dropout is None else args.dropout,
          args.run_dir, args.out, args.batch_size, args.dev_events, args.dev_negative_only, command,
          args.start_from, args.confusable_weight, args.learning_rate, args.more_bank,
          args.hard_negative_weight)
    return 0


if __name__ == "__main__":
    sys.exit(main())
