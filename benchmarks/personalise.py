"""How much does teaching the detector one voice help? Recall and false alarms, before and after.

    .venv/bin/python benchmarks/personalise.py                 # the four voices below, ~12 min
    .venv/bin/python benchmarks/personalise.py --voices en-029+whisper --steps 24

For each voice (espeak-ng voices from the espeakng-loader package that the shipped model
never trained on: the en-029 accent and the f4, m3, klatt3, Alicia, steph2, robert variants
are held out of training by core.trigger.voicebank.bank.voice_split):

1. "the person" says "activate" 25 times at different speeds and pitches: 5 takes go
   through the page's take checker and fine-tune a copy of the shipped model, exactly as the
   page does (`core.trigger.training.personal.fine_tune`, its default steps and batch size); the other
   20 are held out;
2. test mixes are made the course's way over held-out backgrounds (no augmentation):
   60 with 0–4 held-out takes and real negatives, 60 with real negatives and other voices'
   words only, and 40 with the same voice saying *other* words ("active", "motivate",
   "hello", ...) — the false alarm a personal model is most at risk of;
3. both models are scored with core.trigger.training.evaluate (a hit within 0.25 s before to 1 s after
   the end of the word; anything else is a false alarm) at the shipped threshold.

Real negatives are split as training split them (every 4th recording is dev): fine-tuning
sees some training ones, the tests only dev ones. Prints a table; never writes a model.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.trigger.audio import resample  # noqa: E402
from core.trigger.model import MODEL_DIR, load  # noqa: E402
from core.trigger.training import evaluate, personal  # noqa: E402
from core.trigger.training.dataset import generated_backgrounds  # noqa: E402
from core.trigger.training.train import split_real_negatives  # noqa: E402
from core.trigger.voicebank.bank import load_bundled_bank, real_negatives, split_bank, voice_split  # noqa: E402
from core.trigger.voicebank.voices import Voice, synthesize  # noqa: E402

VOICES = ("en-029+whisper", "en-us+klatt3", "en-gb-scotland+Alicia", "en-029+m3")
OWN_WORDS = ("active", "activity", "captivate", "motivate", "actually", "cavity", "hello", "weather",
             "tomorrow", "good morning", "turn on the light", "what time is it")
FINE_TUNE_TAKES, HELD_OUT_TAKES = 5, 20


def say(voice: str, text: str, speed: int, pitch: int) -> np.ndarray:
    samples, rate = synthesize(Voice("espeakng-loader", voice), text, speed=speed, pitch=pitch)
    return resample(samples, rate, 44100)


def person(voice: str, seed: int):
    """(fine-tuning takes, held-out takes, other words), all through the page's take checker."""
    rng = np.random.default_rng(seed)
    grid = [(130, 35), (150, 60), (165, 45), (180, 55), (195, 40)]  # the 5 takes: spread out
    held = [(int(rng.integers(120, 210)), int(rng.integers(25, 76))) for _ in range(HELD_OUT_TAKES)]
    takes, rejected = [], 0
    for speed, pitch in grid + held:
        check = personal.inspect_take(np.pad(say(voice, "activate", speed, pitch), 22050))
        if check.ok:
            takes.append(check.clip)
        else:
            rejected += 1
    words = [personal.inspect_take(np.pad(say(voice, w, 160, 50), 22050)).clip for w in OWN_WORDS]
    return takes[:FINE_TUNE_TAKES], takes[FINE_TUNE_TAKES:], [w for w in words if len(w)], rejected


def predictor(model):
    predict_inputs = evaluate.predictor(model)
    return lambda examples: predict_inputs([e.x for e in examples])


def scores(predict, examples, threshold: float) -> dict:
    return evaluate.event_metrics(predict(examples), examples, thresholds=(threshold,))[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", nargs="+", default=list(VOICES))
    parser.add_argument("--steps", type=int, default=personal.STEPS)
    parser.add_argument("--batch-size", type=int, default=personal.BATCH_SIZE)
    parser.add_argument("--learning-rate", type=float, default=personal.LEARNING_RATE)
    parser.add_argument("--mixes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args(argv)

    config = json.loads((MODEL_DIR / "config.json").read_text())
    kind = "PLACEHOLDER (not the trained model)" if "placeholder" in config else "the trained model"
    base, config = load()
    threshold = float(config.get("threshold", 0.5))
    trained_voices = set()
    metrics_path = MODEL_DIR / "metrics.json"
    if metrics_path.exists():
        trained_voices = set(json.loads(metrics_path.read_text()).get("voices_train", []))
    print(f"shipped model: {MODEL_DIR} ({kind}), threshold {threshold}")

    started = time.perf_counter()
    real_train, real_dev = split_real_negatives(real_negatives())
    print(f"real negatives: {len(real_train)} train, {len(real_dev)} dev ({time.perf_counter() - started:.0f} s to read)")
    fine_tune_negatives = real_train[::7]
    train_bank, dev_bank = split_bank(load_bundled_bank())
    bank = load_bundled_bank()
    tune_bank = replace(train_bank, backgrounds=bank.backgrounds[::2])  # nothing the tests use
    backgrounds = list(bank.backgrounds[1::2]) + generated_backgrounds(
        12, args.seed + 1000, [(c, 44100) for c in dev_bank.negatives])
    other_voices = list(dev_bank.negatives) + list(real_dev)

    started = time.perf_counter()
    personal.warm_up(args.batch_size, wait=True)
    compile_s = time.perf_counter() - started
    print(f"compiling the training step (once per process): {compile_s:.0f} s")

    shipped = predictor(base)
    results = []
    for k, voice in enumerate(args.voices):
        voice_id = f"espeakng-loader:{voice}"
        if voice_id in trained_voices or voice_split(voice_id) != "dev":
            print(f"skipping {voice}: the shipped model trained on it")
            continue
        takes, held, own_words, rejected = person(voice, args.seed + k)
        seed = args.seed + 100 * k
        with_word = list(evaluate.make_dev_examples(held, real_dev, backgrounds, args.mixes, seed))
        no_word = list(evaluate.make_dev_examples(held, other_voices, backgrounds, args.mixes, seed + 1,
                                                  negatives_only=True))
        own = list(evaluate.make_dev_examples(held, own_words, backgrounds, max(10, args.mixes * 2 // 3),
                                              seed + 2, negatives_only=True))
        started = time.perf_counter()
        tuned = personal.fine_tune(base, takes, tune_bank, steps=args.steps, batch_size=args.batch_size, seed=seed,
                                   learning_rate=args.learning_rate, extra_negatives=fine_tune_negatives)
        seconds = time.perf_counter() - started
        row = dict(voice=voice, takes=len(takes), held_out=len(held), rejected_takes=rejected,
                   fine_tune_seconds=round(seconds, 1))
        for name, predict in (("shipped", shipped), ("personal", predictor(tuned))):
            hit = scores(predict, with_word, threshold)
            fa_other = scores(predict, no_word, threshold)
            fa_own = scores(predict, own, threshold)
            fa = hit["false_alarms"] + fa_other["false_alarms"]
            hours = (len(with_word) + len(no_word)) * 10 / 3600
            row[name] = dict(recall=hit["recall"], hits=hit["hits"], activates=hit["activates"],
                             false_alarms_per_hour=fa / hours, false_alarms=fa,
                             own_words_false_alarms=fa_own["false_alarms"],
                             own_words_per_hour=fa_own["false_alarms_per_hour"])
        results.append(row)
        s, p = row["shipped"], row["personal"]
        print(f"{voice:24s} fine-tune {seconds:5.1f} s | recall {s['recall']:6.1%} → {p['recall']:6.1%} "
              f"({s['hits']}→{p['hits']} of {s['activates']}) | false alarms/h (real + other voices) "
              f"{s['false_alarms_per_hour']:5.1f} → {p['false_alarms_per_hour']:5.1f} | own other words "
              f"{s['own_words_false_alarms']} → {p['own_words_false_alarms']} in {len(own)} mixes", flush=True)

    if results:
        def total(name, key):
            return sum(r[name][key] for r in results)

        activates = total("shipped", "activates")
        hours = len(results) * 2 * args.mixes * 10 / 3600
        print(f"\nall {len(results)} voices at threshold {threshold} ({kind}); {args.steps} steps × "
              f"{args.batch_size} examples, learning rate {args.learning_rate}:")
        for name in ("shipped", "personal"):
            print(f"  {name:8s} recall {total(name, 'hits') / activates:6.1%} ({total(name, 'hits')}/{activates}), "
                  f"{total(name, 'false_alarms') / hours:5.1f} false alarms/h on real negatives and other voices "
                  f"({hours:.2f} h), {total(name, 'own_words_false_alarms')} false alarms on the same voice's "
                  f"other words")
        print(f"  fine-tune time: median {np.median([r['fine_tune_seconds'] for r in results]):.0f} s "
              f"(+ {compile_s:.0f} s compile, once per server process)")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(threshold=threshold, model=kind, compile_seconds=compile_s,
                                                   steps=args.steps, batch_size=args.batch_size,
                                                   learning_rate=args.learning_rate, voices=results), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
