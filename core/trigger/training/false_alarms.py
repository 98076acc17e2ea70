"""Where do the detector's false alarms come from? False alarms per hour by kind of speech.

    python -m core.trigger.training.false_alarms                       # ~8 min on 2 cores; writes models/trigger/FALSE_ALARMS.md
    python -m core.trigger.training.false_alarms --mixes 100 --out -   # smaller, print only

The model card's dev set mixes every kind of negative together, so its one false-alarm rate
says nothing about *what* the model confuses with "activate". Here each kind gets its own
negatives-only 10 s mixes (1–4 clips each, over held-out backgrounds, augmented as in
training), all said by voices training never heard:
- "real": real recorded speech (the dev quarter of ../shared/data/real_speech);
- "ordinary": ordinary synthesized words and phrases ("hello", "what time is it", ...);
- "confusable": synthesized words that share sounds with "activate" (core.trigger.voicebank.bank.CONFUSABLES);
plus mixes with 0–4 "activate" for recall. Every false alarm is blamed on the clip it falls in
or just after (the same window as a hit: up to 1 s after the clip ends), so each confusable
word gets its own count.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from core.trigger.training.evaluate import EARLY, LATE, match_events, predictor
from core.trigger.detect import REFRACTORY_STEPS, STEP_SECONDS, detect_events

KINDS = ("real", "ordinary", "confusable")
THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)
DEV_BANK = Path("runs/trigger/dev_bank")
WORST_VOICES, MIN_SAID = 5, 20  # the report names the hardest voice variants heard this often


def blame(detection_seconds, segments, labels) -> list:
    """The label of the placed clip each false alarm falls in or just after (None: nothing near).

    segments: the `segments` of a made example; labels[k]: the label of negative clip k.
    Detections that hit an "activate" (EARLY s before to LATE s after its end) are not false
    alarms and are skipped, as in evaluate.match_events.
    """
    activate_ends = [s["end_ms"] / 1000 for s in segments if s["kind"] == "activate" and s["placed"]]
    used, blamed = set(), []
    for t in detection_seconds:
        hit = next((k for k, e in enumerate(activate_ends) if k not in used and e - EARLY <= t <= e + LATE), None)
        if hit is not None:
            used.add(hit)
            continue
        near = [s for s in segments if s["placed"] and s["kind"] == "negative"
                and s["start_ms"] / 1000 <= t <= s["end_ms"] / 1000 + LATE]
        blamed.append(labels[near[-1]["index"]] if near else None)
    return blamed


def voice_variant(voice_id: str) -> str:
    """espeak-ng's variants ("+Alicia") cut across accents; the rest are whole voices ("flite:awb")."""
    return voice_id.rsplit("+", 1)[1] if "+" in voice_id else voice_id


def recall_by_voice(detections, segment_lists, voices) -> dict:
    """{voice variant: [heard, said]}: an "activate" is heard when a detection falls EARLY s
    before to LATE s after its end. detections[k]: seconds, for the mix with segment_lists[k];
    voices[i]: the voice id of activate clip i."""
    counts = {}
    for times, segments in zip(detections, segment_lists):
        for s in segments:
            if s["kind"] != "activate" or not s["placed"]:
                continue
            end = s["end_ms"] / 1000
            tally = counts.setdefault(voice_variant(voices[s["index"]]), [0, 0])
            tally[0] += any(end - EARLY <= t <= end + LATE for t in times)
            tally[1] += 1
    return counts


def build_dev_bank(out_dir, n_clips: int, seed: int):
    """A bank of held-out voices only (the split training never sees), fresh clips."""
    from tqdm import tqdm

    from core.trigger.voicebank.bank import build_bank, voice_split
    from core.trigger.voicebank.voices import available_voices

    voices = [v for v in available_voices() if voice_split(v.id) == "dev"]
    if not voices:
        raise SystemExit("no held-out TTS voice installed: pip install espeakng-loader (or apt-get install espeak-ng)")
    with tqdm(total=2 * n_clips + 8, unit="file", desc=f"dev bank ({len(voices)} voices)") as bar:
        build_bank(out_dir, voices, n_clips, n_clips, 8, seed, progress=bar.update)


def mixes(activates, negatives, backgrounds, n: int, seed: int, augmenter, with_activates: bool):
    """(x, segments) for n 10 s mixes made the course's way."""
    from core.trigger.synth import make_example

    rng = np.random.default_rng([seed, 11])
    for _ in range(n):
        background = backgrounds[int(rng.integers(len(backgrounds)))]
        counts = {} if with_activates else dict(n_activates=0, n_negatives=int(rng.integers(1, 5)))
        example = make_example(background, activates, negatives, rng=rng, augment_clip=augmenter.augment_clip,
                               augment_recording=augmenter.augment_recording, **counts)
        yield example.x.T.astype(np.float32), example.segments


def analyse(bank_dir, n_mixes: int, seed: int, model=None, thresholds=THRESHOLDS, real_per_word=None,
            words_at: float = 0.95) -> dict:
    """Recall and false alarms per hour for each kind of negative speech, and per word at the
    threshold nearest words_at (give it the model's default)."""
    from core.trigger.voicebank.augment import Augmenter
    from core.trigger.voicebank.bank import CONFUSABLES, load_bank, real_negatives
    from core.trigger.training.dataset import generated_backgrounds
    from core.trigger.model import load
    from core.trigger.training.train import split_real_negatives

    bank = load_bank(bank_dir)
    _, real_dev = split_real_negatives(real_negatives(per_word=real_per_word))
    texts = [row["text"] for row in bank.negative_info]
    speakers = [voice_variant(row["voice_id"]) for row in bank.negative_info]
    by_kind = {  # kind: (clips, their words, their voices)
        "real": (list(real_dev), ["real recording"] * len(real_dev), ["real people"] * len(real_dev)),
        "ordinary": ([c for c, t in zip(bank.negatives, texts) if t not in CONFUSABLES],
                     [t for t in texts if t not in CONFUSABLES],
                     [v for v, t in zip(speakers, texts) if t not in CONFUSABLES]),
        "confusable": ([c for c, t in zip(bank.negatives, texts) if t in CONFUSABLES],
                       [t for t in texts if t in CONFUSABLES],
                       [v for v, t in zip(speakers, texts) if t in CONFUSABLES]),
    }
    backgrounds = list(bank.backgrounds) + generated_backgrounds(8, seed + 1000, [(c, 44100) for c in bank.negatives])
    model = model if model is not None else load()[0]
    predict, augmenter = predictor(model), Augmenter()
    hours = n_mixes * 10 / 3600
    words_at = min(thresholds, key=lambda t: abs(t - words_at))
    report = dict(mixes_per_kind=n_mixes, hours_per_kind=hours, thresholds=list(thresholds), kinds={}, words={},
                  words_at=words_at, false_alarm_voices={})
    every_negative = [c for clips, _, _ in by_kind.values() for c in clips]
    made = list(mixes(bank.activates, every_negative, backgrounds, n_mixes, seed, augmenter, True))
    probabilities = predict([x for x, _ in made])
    report["recall"] = {}
    for threshold in thresholds:
        hits = scorable = 0
        for p, (_, segments) in zip(probabilities, made):
            ends = [s["end_ms"] for s in segments if s["kind"] == "activate" and s["placed"]]
            h, s, _ = match_events(detect_events(p, threshold, REFRACTORY_STEPS), ends)
            hits, scorable = hits + h, scorable + s
        report["recall"][str(threshold)] = hits / max(1, scorable)
    voices = [row["voice_id"] for row in bank.activate_info]
    report["recall_by_voice"] = recall_by_voice(
        [[(i + 1) * STEP_SECONDS for i in detect_events(p, words_at, REFRACTORY_STEPS)] for p in probabilities],
        [segments for _, segments in made], voices)
    said_by = Counter()
    for k, kind in enumerate(KINDS):
        clips, labels, voice_labels = by_kind[kind]
        made = list(mixes(bank.activates, clips, backgrounds, n_mixes, seed + 1 + k, augmenter, False))
        probabilities = predict([x for x, _ in made])
        rates, words = {}, Counter()
        for threshold in thresholds:
            times = [[(i + 1) * STEP_SECONDS for i in detect_events(p, threshold, REFRACTORY_STEPS)]
                     for p in probabilities]
            blamed = [label for t, (_, segments) in zip(times, made) for label in blame(t, segments, labels)]
            rates[str(threshold)] = len(blamed) / hours
            if threshold == words_at:
                words = Counter(label or "(nothing near)" for label in blamed)
                said_by.update(label or "(nothing near)" for t, (_, segments) in zip(times, made)
                               for label in blame(t, segments, voice_labels))
        report["kinds"][kind] = dict(false_alarms_per_hour=rates, clips=len(clips))
        report["words"][kind] = dict(words.most_common())
    report["false_alarm_voices"] = dict(said_by.most_common())
    return report


def markdown(report: dict, command: str) -> str:
    thresholds = [str(t) for t in report["thresholds"]]
    lines = ["# Trigger-word detector: where the false alarms come from", "",
             f"`{command}` (`core/trigger/training/false_alarms.py`). Voices training never heard; for each kind of",
             f"speech, {report['mixes_per_kind']} negatives-only 10 s mixes ({report['hours_per_kind']:.2f} h), "
             "1–4 clips each, augmented as in training.", "",
             "| threshold | recall | " + " | ".join(f"false alarms/h: {k}" for k in KINDS) + " |",
             "|---|---|" + "---|" * len(KINDS)]
    for t in thresholds:
        lines.append(f"| {t} | {report['recall'][t]:.1%} | " + " | ".join(
            f"{report['kinds'][k]['false_alarms_per_hour'][t]:.1f}" for k in KINDS) + " |")
    voices = sorted((heard / said, name, heard, said) for name, (heard, said) in report["recall_by_voice"].items()
                    if said >= MIN_SAID)[:WORST_VOICES]
    lines += ["", f"Hardest voices at threshold {report['words_at']} (variants with ≥ {MIN_SAID} \"activate\"): "
              + ", ".join(f"{name} {rate:.0%} ({heard} of {said})" for rate, name, heard, said in voices)]
    by_voice = report.get("false_alarm_voices", {})
    lines += ["", f"False alarms by voice at threshold {report['words_at']}, all kinds together: "
              + (", ".join(f"{name} {n}" for name, n in by_voice.items()) or "none")]
    lines += ["", f"False alarms by word at threshold {report['words_at']} (the model's default):", ""]
    for kind in KINDS:
        words = ", ".join(f"{w} {n}" for w, n in report["words"][kind].items()) or "none"
        lines.append(f"- {kind} ({report['kinds'][kind]['clips']} clips): {words}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    import shlex

    parser = argparse.ArgumentParser(prog="python -m core.trigger.training.false_alarms", description=__doc__.splitlines()[0])
    parser.add_argument("--bank", default=str(DEV_BANK), help="a bank of held-out voices (built here if missing)")
    parser.add_argument("--clips", type=int, default=300, help="clips of each sort when the bank is built")
    parser.add_argument("--mixes", type=int, default=400, help="10 s mixes per kind of speech")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", default=None, help="a model folder (default models/trigger)")
    parser.add_argument("--out", default="models/trigger/FALSE_ALARMS.md", help="'-' to print only")
    args = parser.parse_args(argv)
    if not Path(args.bank, "manifest.json").exists():
        build_dev_bank(args.bank, args.clips, args.seed)
    from core.trigger.model import MODEL_DIR, load
    from core.trigger.training.card import write_report

    model, config = load(args.model or MODEL_DIR)
    report = analyse(args.bank, args.mixes, args.seed, model=model, words_at=config.get("threshold", 0.95))
    command = "python -m core.trigger.training.false_alarms " + shlex.join(sys.argv[1:] if argv is None else argv)
    write_report(markdown(report, command.strip()), report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
