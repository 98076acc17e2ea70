"""Does the trigger-word recipe transfer to real people? A yardstick on words real people said.

    .venv/bin/python benchmarks/real_voice_proxy.py --word computer     # ~27 min on 2 idle cores, ~8-9 GB
    .venv/bin/python benchmarks/real_voice_proxy.py --word computer,jarvis,alexa --out runs/proxy/baseline
    .venv/bin/python benchmarks/real_voice_proxy.py --word computer --out runs/proxy/cw3 \\
        --confusable-weight 3 --compare runs/proxy/baseline                       # before / after a change
    .venv/bin/python benchmarks/real_voice_proxy.py --tiny --out runs/proxy/tiny   # ~2 min smoke run
    .venv/bin/python benchmarks/real_voice_proxy.py --model models/trigger --out runs/proxy/shipped  # judge only

Why. The shipped "activate" detector learned from synthesized voices only (espeak-ng, flite,
festival, augmented) with real recordings of *other* words as negatives. It hears 95.6% of
held-out synthesized voices but, on a hidden set, only 31% of real people. No real "activate"
is available here to measure that gap while changing the recipe, but real people saying
three other wake words are (../shared/data/real_speech/wake_word_benchmark: 411 "computer",
384 "jarvis", 315 "alexa", 50+ people). So: train the same recipe for a *proxy* word with
synthesized positives only, and judge it on the real recordings of that word, which training
never sees. If a change to the recipe (more voices, other augmentation, other negatives)
raises real recall on the proxy words, it probably raises it for "activate" too.

What is trained (per word, in OUT/<word>/):
- bank/: a voice bank made by core.trigger.voicebank.bank.build_bank with the proxy word as the
  positive, said by the same TTS voices at the same speeds and pitches, with the same voice
  split (held-out speakers go to dev). Negatives: the bank's usual words (bank.NEGATIVES),
  plus "activate" (the starting model fires on it), plus words that sound like part of the
  proxy word (OWN_CONFUSABLES; the usual list's confusables are "activate"'s, so this keeps
  the recipe's *kind* of negatives; --no-own-confusables drops them).
- model/: core.trigger.training.train.train on that bank, the README's recipe (fresh augmented
  examples made the course's way, binary cross-entropy per output step, cosine learning
  rate, checkpoints every 50 steps in run/), from the shipped model's weights by default
  (transfer from "activate": far cheaper than from scratch on a 2-core CPU) or
  --from-scratch. Real negatives: every folder of ../shared/data/real_speech EXCEPT the proxy
  word's, split as the shipped model's training split them (every 4th recording held out).
  The other two wake words stay in as negatives, as they are for "activate" today: real
  people's names and commands are exactly what a detector must not fire on.

How it is judged (judge/, deterministic from JUDGE_SEED whatever the training seed, so runs
compare on the same audio):
- real recall: every real recording of the proxy word (none used in training), cut to the
  word (word_bounds), put once at each SNR (speech RMS over background RMS, --snrs) into a
  10 s background with 0-2 held-out real other words, at a random time that ends at least
  0.5 s before the end; every word (real or synthesized, positive or not) at the bank's
  -20 dBFS, the background SNR dB below it, the mix normalised as every course training example
  (to -20 dBFS by its RMS, then 16 bits: a loud word clips, in nearly every mix; --deliveries'
  "unclipped" part measures what that costs);
- synthesized recall: the bank's held-out (dev) voices saying the proxy word, mixed the same
  way, over the same backgrounds, at the same SNRs, so the real - synthetic gap is voices,
  not noise;
- false alarms per hour: 10 s mixes of 1-4 held-out real recordings of OTHER words (Speech
  Commands and the other two wake words: the quarter neither this model nor the shipped one
  trained on), --negative-hours of them, SNRs in turn;
- backgrounds: core.trigger.voicebank.backgrounds' kinds (coloured noise, hum, fan, music, and babble
  made of real recordings of other words) plus "room tone": the silence around real
  recordings of other words (real rooms and microphones), looped to 10 s. No recorded room
  or street noise exists under ../shared/data, so the other kinds are synthetic.
- detection is the project's: core.trigger.detect.detect_events (the course's 75-step rule)
  and core.trigger.training.evaluate.match_events (a hit from 0.25 s before to 1 s after the end of
  the word); recall at the threshold core.trigger.training.evaluate.choose_threshold picks within one
  false alarm per hour on the real negatives, at 0.5 and 0.9, and at the model's own
  threshold (chosen on synthesized dev voices, as the shipped model's was).

Every stage resumes: a built bank is kept, training resumes from run/ (the same command
continues after --minutes runs out or the process is stopped), and each judged part is kept
in judge/ for the model it was made with. report.json and report.md go to OUT/<word>/.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import os
import re
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.trigger.voicebank import bank as trigger_bank  # noqa: E402
from core.trigger.training import evaluate  # noqa: E402
from core.trigger.audio import SAMPLE_RATE, AudioError, read_any, resample, to_int16  # noqa: E402
from core.trigger.voicebank.backgrounds import KINDS as SYNTHETIC_KINDS  # noqa: E402
from core.trigger.voicebank.backgrounds import make_background  # noqa: E402
from core.trigger.detect import REFRACTORY_STEPS, detect_events  # noqa: E402
from core.trigger.voicebank.roomtone import loop_to, quiet_stretch, word_bounds  # noqa: E402
from core.trigger.spectrogram import graph_spectrogram  # noqa: E402
from core.trigger.synth import (BACKGROUND_MS, TARGET_DBFS, insert_audio_clip, length_ms,  # noqa: E402
                                match_target_amplitude, overlay)

WORDS = ("computer", "jarvis", "alexa")
WAKE_FOLDER = "wake_word_benchmark"
OWN_CONFUSABLES = {  # synthesized negatives that share sounds with each proxy word
    "computer": ("compute", "commuter", "computing", "competitor", "composer", "consumer", "pewter",
                 "come on", "cucumber", "company"),
    "jarvis": ("jar", "jars", "harvest", "service", "nervous", "travis", "garbage", "marvel", "carve it", "davis"),
    "alexa": ("alex", "alexis", "alexander", "a lexus", "relax", "election", "alaska", "electric", "elixir",
              "lexicon"),
}
JUDGE_SEED = 0
JUDGE_VERSION = 2  # raise when the judge's audio changes: judged parts made before are redone
SNRS = (30.0, 20.0, 10.0)  # dB; training mixes sit at roughly 15-45 dB
FALSE_ALARM_BUDGET = 1.0  # per hour
FIXED_THRESHOLDS = (0.5, 0.9)
THRESHOLDS = tuple(sorted(set(float(t) for t in evaluate.THRESHOLDS + evaluate.FINE_THRESHOLDS))) \
    + (0.9995, 0.9999, 1.0)  # 1.0: never fires
MAX_NEGATIVE_MS = 4000  # as bank.real_negatives
NATIVE_RATE = 16000  # the real recordings' rate (../shared/data/real_speech/README.md)
PREDICT_CHUNK = 32
BACKGROUNDS_PER_KIND = 2
ROOM_TONE = "room tone"
# defaults chosen so one word fits in ~40 minutes on 2 idle cores (see estimate()); --tiny for tests
DEFAULTS = dict(examples=50000, epochs=10, steps=600, minutes=25.0, batch_size=16, bank_positives=600, bank_negatives=600,
                bank_backgrounds=8, negative_hours=2.0, dev_mixes=100, real_per_word=None,
                proxy_recordings=None, snrs=SNRS, backgrounds_per_kind=BACKGROUNDS_PER_KIND)
TINY = dict(examples=300, epochs=1, steps=2, minutes=5.0, batch_size=2, bank_positives=6, bank_negatives=6, bank_backgrounds=2,
            negative_hours=12 * 10 / 3600, dev_mixes=1, real_per_word=2, proxy_recordings=6, snrs=(20.0,),
            backgrounds_per_kind=1)
TINY_VOICES = (("flite", "kal"), ("flite", "awb"), ("espeakng-loader", "en-us"), ("espeakng-loader", "en-029"),
               ("espeak-ng", "en-us"), ("espeak-ng", "en-029"))  # awb and en-029 are held out (dev)
SECONDS_PER_STEP = 1.8  # batch 16, 2 idle cores (README: 800-900 steps in 22-27 min)
SECONDS_PER_MIX = 0.095  # make one 10 s mix and score it (2,343 in 3.6 min here, other jobs running)
# memory of the first training step (it compiles): at least 6.1 GB at batch 6 with all of one word's data
# loaded (stopped there, at this machine's 5 GB allowance); 0.21 GB more per example (batch 2 vs 8, no data)
PEAK_GB_AT_BATCH_6, GB_PER_EXAMPLE = 6.1, 0.21


# ----------------------------------------------------------------------------- real recordings
def room_tone(samples: np.ndarray, rate: int = NATIVE_RATE, min_seconds: float = 0.5) -> np.ndarray | None:
    """The longest stretch of a recording outside its word (the room and microphone alone),
    without digital silence (roomtone.quiet_stretch), at SAMPLE_RATE; None if shorter than min_seconds."""
    best = quiet_stretch(samples, rate, min_seconds)
    return None if best is None else resample(best, rate, SAMPLE_RATE)


real_files = trigger_bank.real_files  # (word, path, held out?): the split training used


@dataclass
class RealData:
    """The real recordings one proxy word uses, read at 44.1 kHz."""

    word: str
    train_negatives: list = field(default_factory=list)  # clips (training negatives)
    train_negative_paths: list = field(default_factory=list)
    heldout_negatives: list = field(default_factory=list)  # clips (train's dev; the false-alarm judge)
    heldout_negative_paths: list = field(default_factory=list)
    heldout_negative_words: list = field(default_factory=list)
    positives: list = field(default_factory=list)  # the proxy word, cut to the word, at bank level
    positive_paths: list = field(default_factory=list)
    positive_unseen: list = field(default_factory=list)  # held out of the shipped model's negatives too
    tones: list = field(default_factory=list)  # room tone from held-out recordings of other words

    def summary(self) -> dict:
        from collections import Counter

        lengths = [len(c) / SAMPLE_RATE for c in self.positives]
        return dict(word=self.word, positives=len(self.positives), positives_unseen_by_start=sum(self.positive_unseen),
                    positive_seconds_median=round(float(np.median(lengths)), 2) if lengths else None,
                    positive_seconds_p95=round(float(np.percentile(lengths, 95)), 2) if lengths else None,
                    train_negatives=len(self.train_negatives), heldout_negatives=len(self.heldout_negatives),
                    heldout_negative_words=dict(sorted(Counter(self.heldout_negative_words).items())),
                    train_negative_words=sorted({Path(p).parent.name for p in self.train_negative_paths}),
                    room_tones=len(self.tones))


def load_real(word: str, root=None, per_word: int | None = None, proxy_recordings: int | None = None) -> RealData:
    """Training negatives (every folder but `word`'s, the shipped split's training part),
    held-out negatives (its held-out part), and `word`'s own recordings as positives.

    Negatives are read as bank.real_negatives reads them (silence trimmed, at most 4 s);
    per_word keeps the first few of each folder (a quick run). Positives are cut with
    word_bounds and set to the bank's clip level.
    """
    root = Path(root or trigger_bank.REAL_SPEECH_DIR)
    data = RealData(word)
    taken: dict = {}
    for folder, path, heldout in real_files(root):
        if folder == word:
            if path.parent.parent.name != WAKE_FOLDER:
                continue
            if proxy_recordings is not None and len(data.positives) >= proxy_recordings:
                continue
            try:
                native = read_any(path, NATIVE_RATE)
            except AudioError:
                continue
            start, stop = word_bounds(native)
            if stop - start < 0.15 * NATIVE_RATE or (stop - start) * 1000 // NATIVE_RATE >= evaluate.SCORABLE_END_MS:
                continue
            raw = resample(native, NATIVE_RATE, SAMPLE_RATE)  # the whole file, as bank.real_negatives does
            start, stop = (int(round(i * SAMPLE_RATE / NATIVE_RATE)) for i in (start, stop))
            data.positives.append(trigger_bank.at_dbfs(raw[start:stop], trigger_bank.CLIP_DBFS))
            data.positive_paths.append(str(path))
            data.positive_unseen.append(bool(heldout))
            continue
        if per_word is not None and taken.get(path.parent, 0) >= per_word:
            continue
        try:
            native = read_any(path, NATIVE_RATE)
        except AudioError:
            continue
        taken[path.parent] = taken.get(path.parent, 0) + 1
        raw = resample(native, NATIVE_RATE, SAMPLE_RATE)  # = read_any(path, SAMPLE_RATE), as training reads it
        clip = trigger_bank.trim_silence(raw, SAMPLE_RATE)[:int(MAX_NEGATIVE_MS * SAMPLE_RATE / 1000)]
        if heldout:
            data.heldout_negatives.append(clip)
            data.heldout_negative_paths.append(str(path))
            data.heldout_negative_words.append(folder)
            tone = room_tone(native)
            if tone is not None:
                data.tones.append(tone)
        else:
            data.train_negatives.append(clip)
            data.train_negative_paths.append(str(path))
    if not data.positives:
        raise SystemExit(f"no real recordings of {word!r} in {root / WAKE_FOLDER / word}")
    leaked = [p for p in data.train_negative_paths + data.heldout_negative_paths if Path(p).parent.name == word]
    assert not leaked, f"{word!r} recordings among the negatives: {leaked[:3]}"
    return data


# ----------------------------------------------------------------------------- the bank
def negative_words(word: str, own_confusables: bool = True) -> tuple:
    own = OWN_CONFUSABLES.get(word, ()) if own_confusables else ()
    words = tuple(own) + ("activate",) + tuple(trigger_bank.NEGATIVES)
    return tuple(dict.fromkeys(w for w in words if w != word))


def tiny_voices():
    """A few fast voices, at least one of them held out (so synthesized dev recall exists)."""
    from core.trigger.voicebank.voices import available_voices

    wanted = {f"{e}:{n}" for e, n in TINY_VOICES}
    voices = [v for v in available_voices(("flite", "espeakng-loader", "espeak-ng")) if v.id in wanted]
    engines = {v.engine for v in voices}
    if "espeakng-loader" in engines:  # one espeak engine is enough
        voices = [v for v in voices if v.engine != "espeak-ng"]
    return voices


def ensure_bank(folder: Path, word: str, positives: int, negatives: int, backgrounds: int, seed: int,
                own_confusables: bool = True, voices=None, engines=None) -> dict:
    """Build the proxy word's bank unless a finished one (manifest.json) with these settings is there."""
    from core.trigger.voicebank.voices import ENGINES, available_voices

    settings = dict(word=word, positives=positives, negatives=negatives, backgrounds=backgrounds, seed=seed,
                    own_confusables=own_confusables, engines=sorted(engines) if engines else None)
    done = folder / "proxy_bank.json"
    if (folder / trigger_bank.MANIFEST).exists() and done.exists():
        if json.loads(done.read_text())["settings"] != settings:
            raise SystemExit(f"{folder} holds a bank made with other settings; use another --out or --bank-root")
        return json.loads(done.read_text())
    voices = voices if voices is not None else available_voices(engines or ENGINES)
    if not voices:
        raise SystemExit("no TTS voice: apt-get install espeak-ng flite festival (or pip install espeakng-loader)")
    from tqdm import tqdm

    started = time.time()
    with tqdm(total=positives + negatives + backgrounds, unit="file", desc=f"bank: {word}") as bar:
        manifest = trigger_bank.build_bank(folder, voices, positives, negatives, backgrounds, seed,
                                           progress=bar.update, command=f"benchmarks/real_voice_proxy.py ({word})",
                                           trigger=word, negative_words=negative_words(word, own_confusables))
    info = dict(settings=settings, seconds=round(time.time() - started, 1),
                clips=len(manifest["clips"]), failures=len(manifest["failures"]),
                positives_dev=sum(c["kind"] == "activate" and c["split"] == "dev" for c in manifest["clips"]),
                voices=len({c["voice_id"] for c in manifest["clips"]}))
    done.write_text(json.dumps(info, indent=1) + "\n")
    return info


# ----------------------------------------------------------------------------- training
def train_word(word_dir: Path, real: RealData, args, command: str) -> dict:
    """Train (or resume) the proxy word's model with core.trigger.training.train.train; returns its metrics."""
    from core.trigger.training import train
    from core.trigger.model import DROPOUT

    recipe = dict(start_from=None if args.from_scratch else str(start_folder(args.start_from)),
                  learning_rate=args.learning_rate,
                  batch_size=args.batch_size, seed=args.seed, confusable_weight=args.confusable_weight,
                  hard_negative_weight=args.hard_negative_weight, own_confusables=args.own_confusables,
                  dev_mixes=args.dev_mixes, real_per_word=args.real_per_word)
    recipe_path = word_dir / "recipe.json"
    if recipe_path.exists() and json.loads(recipe_path.read_text()) != recipe:
        raise SystemExit(f"{word_dir} was trained with another recipe ({recipe_path}); use another --out")
    recipe_path.write_text(json.dumps(recipe, indent=1) + "\n")
    model_dir, run_dir = word_dir / "model", word_dir / "run"
    progress = run_dir / train.PROGRESS
    if (model_dir / "metrics.json").exists() and progress.exists():
        done = json.loads(progress.read_text())["step"]
        metrics = json.loads((model_dir / "metrics.json").read_text())
        if done >= args.steps and metrics["steps"] == done:
            print(f"{real.word}: model trained ({done} steps) in {model_dir}")
            return metrics
    return train.train(word_dir / "bank", args.steps, args.minutes, args.seed, DROPOUT, run_dir, model_dir,
                       batch_size=args.batch_size, dev_events=args.dev_mixes, dev_negative_only=args.dev_mixes,
                       command=command, start_from=recipe["start_from"], confusable_weight=args.confusable_weight,
                       start_learning_rate=args.learning_rate, hard_negative_weight=args.hard_negative_weight,
                       real_split=(real.train_negatives, real.heldout_negatives),
                       confusable_words=OWN_CONFUSABLES.get(real.word, ()) if args.own_confusables else ())


def ensure_takes(word_dir: Path, word: str, args, voices=None) -> dict:
    """The spotter recipe's takes of the word and its negatives (core.trigger.voicebank.takes)."""
    from core.trigger.voicebank import takes

    folder = Path(args.takes) if args.takes else word_dir / "takes"
    if args.takes and not (word_dir / "takes").exists():
        (word_dir / "takes").symlink_to(folder.resolve(), target_is_directory=True)
    started = time.time()
    manifest = takes.build_takes(folder, word, args.bank_positives, args.bank_negatives, seed=args.bank_seed,
                                 negative_words=negative_words(word, args.own_confusables), voices=voices)
    clips = manifest["clips"]
    return dict(settings=dict(word=word, positives=args.bank_positives, negatives=args.bank_negatives,
                              seed=args.bank_seed), seconds=round(time.time() - started, 1), clips=len(clips),
                failures=len(manifest["failures"]),
                positives_dev=sum(c["kind"] == "positive" and c["split"] == "dev" for c in clips),
                voices=len({c["voice_id"] for c in clips}), engines=sorted({c["engine"] for c in clips}))


def train_spotter_word(word_dir: Path, args, command: str) -> dict:
    """Train (or resume) the proxy word's spotter: its real recordings are never read."""
    from core.trigger.training import spotter as recipe

    model_dir = word_dir / "model"
    if (model_dir / "metrics.json").exists():
        metrics = json.loads((model_dir / "metrics.json").read_text())
        if metrics.get("epochs") == args.epochs:
            return metrics
    return recipe.train(word_dir / "takes", model_dir, word_dir / "run", args.examples, args.epochs, args.seed,
                        args.minutes, exclude_real=(word_dir.name, *args.exclude_real), dev_examples=args.dev_mixes * 10,
                        event_mixes_n=args.dev_mixes, negative_hours=min(1.0, args.negative_hours),
                        start_from=args.mine_from, mine_weight=args.mine_weight if args.mine_from else 0,
                        learning_rate=5e-4 if args.mine_from else 2e-3,
                        n_backgrounds=8 if args.tiny else 40, processes=1 if args.tiny else 2,
                        real_root=args.real_root or trigger_bank.REAL_SPEECH_DIR, command=command,
                        average_last=args.average_last, delivery=recipe.delivery_of(args),
                        clipped=args.clipped, chimeras=args.chimeras, babble_share=args.babble, tails=args.tails,
                        front=args.front, joints=args.joints, talker_chance=args.talkers)


# ----------------------------------------------------------------------------- the judge
@dataclass
class Mix:
    """One judged 10 s mix: where the positive ends (ms; [] for none), its SNR and background."""

    activate_ends_ms: list
    snr: float
    background: str
    source: int  # index of the positive (or -1)
    distractors: list = field(default_factory=list)  # [held-out negative index, start ms, end ms] placed
    background_index: int = -1  # which of the judge's backgrounds (each a 10 s loop, heard in many mixes)


def judge_backgrounds(real: RealData, per_kind: int, seed: int = JUDGE_SEED) -> list[tuple[str, np.ndarray]]:
    """(kind, 10 s at 44.1 kHz): per_kind of each synthetic kind (babble from held-out real
    recordings of other words) and per_kind of real room tone, looped."""
    rng = np.random.default_rng([seed, 31])
    babble = [(clip, SAMPLE_RATE) for clip in real.heldout_negatives]
    n = SAMPLE_RATE * BACKGROUND_MS // 1000
    out = [(kind, make_background(kind, rng, -30.0, clips=babble)) for kind in SYNTHETIC_KINDS for _ in range(per_kind)]
    tones = sorted(range(len(real.tones)), key=lambda i: -len(real.tones[i]))[:max(1, 4 * per_kind)]
    for i in rng.permutation(tones)[:per_kind] if tones else []:
        out.append((ROOM_TONE, loop_to(real.tones[int(i)], n, SAMPLE_RATE)))
    return out


def make_mix(background: np.ndarray, positive, distractors, snr: float, rng, audio_out: bool = False,
             placed: list | None = None, band: tuple | None = None, target_dbfs: float = TARGET_DBFS
             ) -> tuple[np.ndarray, list]:
    """The model's input (5511, 101) and the positive's end (ms): the background set snr dB below
    the words' level (every clip is at the bank's -20 dBFS), the positive at a random time
    ending by SCORABLE_END_MS, the distractors where they do not overlap; then, as every
    training example, the whole at -20 dBFS through 16-bit PCM. placed, if a list, gets
    (k, start ms, end ms) of each distractor k that found room."""
    rms = float(np.sqrt(np.mean(np.square(background, dtype=np.float64)))) or 1.0
    audio = (background * (10 ** ((trigger_bank.CLIP_DBFS - snr) / 20) / rms)).astype(np.float32)
    segments, ends = [], []
    if positive is not None:
        ms = length_ms(positive)
        start = int(rng.integers(0, max(1, evaluate.SCORABLE_END_MS - ms)))
        audio = overlay(audio, positive, start)
        segments.append((start, start + ms - 1))
        ends.append(start + ms - 1)
    for k, clip in enumerate(distractors):
        audio, (first, last) = insert_audio_clip(audio, clip, segments, rng)
        if placed is not None and first < BACKGROUND_MS:
            placed.append((k, int(first), int(last)))
    pcm = to_int16(match_target_amplitude(audio, target_dbfs))
    if band is not None:  # on the finished mix, so the clipping of its loud words stays inside the band
        from core.trigger.voicebank import augment

        limited = augment.band_limit(pcm / 32767.0, float(band[0]), float(band[1]), SAMPLE_RATE)
        pcm = to_int16(limited / max(1.0, float(np.max(np.abs(limited)))))  # (its ringing is not clipped again)
    if audio_out:
        return (pcm / 32767.0).astype(np.float32), ends  # the same mix as samples (for the spotter)
    return graph_spectrogram(pcm).T.astype(np.float32), ends


PARTS = {"real": 1, "synthetic": 2, "negatives": 3, "drawn out": 4, "high": 5, "at 5 dB": 6, "vowels drawn out": 7,
         "higher": 8, "narrowband": 9, "narrowband, synthesized": 10, "unclipped": 11, "negatives, unclipped": 12,
         "excited": 13}
# the same mixes as another part (the same seeds), made otherwise: the unclipped judge's false alarms
# come from the very mixes "negatives" holds, 10 dB lower, so the two differ only by the clipping
SAME_MIXES_AS = {"negatives, unclipped": "negatives"}
UNCLIPPED_DBFS = -30.0  # nothing in a judged mix clips at this level
# --deliveries: every real recording once more, delivered as the hidden set's people missed most
# (issue 15: drawn out to 1.5-2.4 s, high-pitched to ~400 Hz, a busier room). Processing real voices
# only approximates this (people stretch vowels more than consonants), but the voices stay real.
DELIVERIES = {"drawn out": dict(label="drawn out ×1.8 (phase vocoder)", stretch=1.8, semitones=0.0, snr=20.0),
              "high": dict(label="pitch +6 semitones (~220 → ~310 Hz)", stretch=1.0, semitones=6.0, snr=20.0),
              "at 5 dB": dict(label="as recorded, at 5 dB SNR", stretch=1.0, semitones=0.0, snr=5.0),
              "vowels drawn out": dict(label="vowels drawn out ×2.5, consonants ×1.2 (augment.drawn_out)",
                                       stretch=1.0, semitones=0.0, snr=20.0, vowel_rate=0.4),
              "higher": dict(label="pitch +10 semitones (~220 → ~390 Hz)", stretch=1.0, semitones=10.0, snr=20.0),
              # the two rows above move the formants with the pitch (a smaller, chipmunk voice); a person's
              # voice rising in excitement keeps them: augment.change_f0
              "excited": dict(label="pitch +10 semitones, formants kept (~220 → ~390 Hz: an excited voice)",
                              stretch=1.0, semitones=0.0, snr=20.0, f0=10.0),
              # not from the hidden set's notes: a headset, phone line or cheap microphone passes little
              # above 4 kHz, and a quiet voice has little there to pass (its fricatives are weak)
              "narrowband": dict(label="as recorded, through a 60–4000 Hz microphone (a headset's band)",
                                 stretch=1.0, semitones=0.0, snr=20.0, band=[60.0, 4000.0]),
              # the same microphone for the held-out synthesized voices: the real row's twin
              "narrowband, synthesized": dict(label="held-out synthesized voices (not real), through the same microphone",
                                              stretch=1.0, semitones=0.0, snr=20.0, band=[60.0, 4000.0],
                                              voices="synthetic"),
              # the course's way of making a clip sets the whole to -20 dBFS, which takes nearly every
              # mix's loudest word past full scale (the judge's mixes clip, a median of ~550 samples);
              # 10 dB lower nothing clips: the same recordings, how much the clipping costs
              "unclipped": dict(label="as recorded, the mix set 10 dB lower (−30 dBFS): nothing clipped",
                                stretch=1.0, semitones=0.0, snr=20.0, target_dbfs=UNCLIPPED_DBFS)}


def delivered(clip: np.ndarray, stretch: float = 1.0, semitones: float = 0.0, vowel_rate: float | None = None,
              f0: float = 0.0, **_) -> np.ndarray:
    """A real recording said slower (stretch > 1: longer, same pitch; vowel_rate: its vowels
    alone slowed, as augment.drawn_out does) or higher, at the words' level."""
    from core.trigger.voicebank import augment

    x = augment.delivered(clip, stretch, semitones, vowel_rate, np.random.default_rng([JUDGE_SEED, len(clip)]), f0)
    return trigger_bank.at_dbfs(x, trigger_bank.CLIP_DBFS)


def plan_part(part: str, n_positives: int, snrs, n_negative_mixes: int):
    """(mix number, positive index or -1, snr index) for every mix of a part, in order. A mix's
    audio comes from its own seed (part, mix number, SNR), so --proxy-recordings N judges the
    first N recordings exactly as a full run does."""
    if SAME_MIXES_AS.get(part, part) == "negatives":
        return [(k, -1, k % len(snrs)) for k in range(n_negative_mixes)]
    return [(i, i, s) for s in range(len(snrs)) for i in range(n_positives)]


def run_part(part: str, predict, positives, negatives, backgrounds, snrs, n_negative_mixes: int,
             cache: Path, key: dict, progress=None, audio_out: bool = False, band: tuple | None = None,
             target_dbfs: float = TARGET_DBFS) -> tuple[np.ndarray, list]:
    """Probabilities (n, 1375) and Mixes for one part, from cache when made for this model and setup.
    positives: clips of the proxy word; negatives: held-out real other words (the distractors);
    band, target_dbfs: every mix through a microphone of that band, at that level (make_mix)."""
    meta_path, probs_path = cache / f"{part}.json", cache / f"{part}.npy"
    if meta_path.exists() and probs_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["key"] == key:
            if progress:
                progress(len(meta["mixes"]))
            mixes = [Mix(**m) for m in meta["mixes"]]
            for m, (number, _, s) in zip(mixes, plan_part(part, len(positives), snrs, n_negative_mixes)):
                if m.background_index < 0:  # judged before mixes kept it: the mix's seed says
                    m.background_index = int(np.random.default_rng([JUDGE_SEED, PARTS[SAME_MIXES_AS.get(part, part)],
                                                                    number, s])
                                             .integers(len(backgrounds)))
            return np.load(probs_path), mixes
    plan = plan_part(part, len(positives), snrs, n_negative_mixes)
    probabilities, mixes = [], []
    for first in range(0, len(plan), PREDICT_CHUNK):
        xs = []
        for number, index, s in plan[first:first + PREDICT_CHUNK]:
            rng = np.random.default_rng([JUDGE_SEED, PARTS[SAME_MIXES_AS.get(part, part)], number, s])
            b = int(rng.integers(len(backgrounds)))
            kind, background = backgrounds[b]
            count = int(rng.integers(1, 5)) if index < 0 else int(rng.integers(0, 3))
            chosen = [int(j) for j in rng.integers(len(negatives), size=count)] if negatives else []
            placed = []
            x, ends = make_mix(background, positives[index] if index >= 0 else None,
                               [negatives[j] for j in chosen], snrs[s], rng, audio_out, placed, band, target_dbfs)
            xs.append(x)
            mixes.append(Mix(ends, float(snrs[s]), kind, index, [[chosen[k], first, last] for k, first, last in placed],
                             b))
        probabilities += predict(xs)
        if progress:
            progress(len(xs))
    probabilities = np.stack(probabilities).astype(np.float32) if probabilities else np.zeros((0, 1375), np.float32)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(probs_path, probabilities)
    meta_path.write_text(json.dumps(dict(key=key, mixes=[m.__dict__ for m in mixes])))
    return probabilities, mixes


def start_folder(path) -> Path:
    """A model folder as given, or relative to the project root (run from anywhere)."""
    path = Path(path)
    return path if path.exists() or path.is_absolute() else trigger_bank.ROOT / path


def weights_key(model_dir) -> str:
    from core.trigger import embedding_spotter, spotter
    from core.trigger.model import WEIGHTS

    paths = [Path(model_dir, name) for name in (spotter.WEIGHTS, embedding_spotter.WEIGHTS, WEIGHTS)]
    path = next((p for p in paths if p.exists()), paths[-1])
    return hashlib.sha1(path.read_bytes()).hexdigest()[:16]


def _clean(x):
    """JSON-safe: NaN → None, numpy scalars → Python."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if math.isnan(float(x)) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def choose(rows: list[dict], budget: float = FALSE_ALARM_BUDGET) -> dict:
    """The threshold for "recall at <= budget false alarms per hour": evaluate.choose_threshold on
    rows whose recall is the real recall and whose false alarms are the real negatives'. The
    thresholds include 1.0 (never fires), so one always keeps the budget and choose_threshold
    takes its first rule: the best recall among thresholds within the budget."""
    chosen = evaluate.choose_threshold(
        [dict(r, recall=-1.0 if r["recall"] is None or math.isnan(r["recall"]) else r["recall"]) for r in rows],
        budget)
    assert chosen["false_alarms_per_hour"] <= budget, "no threshold kept the budget (1.0 should)"
    return next(r for r in rows if r["threshold"] == chosen["threshold"])


def rows_at(probabilities, mixes, thresholds=THRESHOLDS, refractory_steps: int = REFRACTORY_STEPS) -> list[dict]:
    if len(mixes) == 0:
        return [dict(threshold=float(t), recall=float("nan"), hits=0, activates=0, false_alarms=0,
                     false_alarms_per_hour=float("nan")) for t in thresholds]
    return evaluate.event_metrics(list(probabilities), mixes, thresholds, refractory_steps)


SPOT_SECONDS = 1.0  # false alarms from one background within this of the same time are one spot


def false_alarm_sources(probability, mix: Mix, threshold: float, refractory_steps: int = REFRACTORY_STEPS) -> list:
    """The source of each false alarm in a negative mix: ("recording", j) for the held-out real
    recording j that ended within evaluate's window before it (EARLY before to LATE after its
    end), else ("background", its index, the second it rang at): the same spot of the same
    10 s background loop rings again in every mix that leaves it uncovered."""
    out = []
    for i in detect_events(probability, threshold, refractory_steps):
        t = (i + 1) * evaluate.STEP_SECONDS
        owner = next((j for j, _, end in mix.distractors
                      if end / 1000 - evaluate.EARLY <= t <= end / 1000 + evaluate.LATE), None)
        out.append(("recording", owner) if owner is not None else
                   ("background", mix.background_index, int(t // SPOT_SECONDS)))
    return out


def ringers(probabilities, mixes, threshold: float, names: list, refractory_steps: int = REFRACTORY_STEPS,
            top: int = 8) -> dict:
    """Where the false alarms in negative mixes came from (false_alarm_sources): how many distinct
    held-out recordings and background spots rang, and the loudest of them. Each recording and
    each background is heard in many mixes, so one source that rings costs several false alarms:
    these say how many distinct sources a "within 1 false alarm an hour" figure rests on."""
    from collections import Counter

    if not any(m.distractors for m in mixes):
        return dict(recorded=False)  # judged before mixes kept their distractors
    rang, heard, by_background = Counter(), Counter(), Counter()
    for p, mix in zip(probabilities, mixes):
        for j, _, _ in mix.distractors:
            heard[j] += 1
        by_background[mix.background_index] += 1
        rang.update(false_alarm_sources(p, mix, threshold, refractory_steps))

    def name(source):
        if source[0] == "recording":
            return names[source[1]] if source[1] < len(names) else str(source[1])
        kind = next((m.background for m in mixes if m.background_index == source[1]), "background")
        return f"{kind} #{source[1]} at {source[2]}–{source[2] + SPOT_SECONDS:g} s"

    def mixes_with(source):
        return heard[source[1]] if source[0] == "recording" else by_background[source[1]]

    recordings = [k for k in rang if k[0] == "recording"]
    return dict(recorded=True, threshold=float(threshold), false_alarms=sum(rang.values()),
                from_background=sum(n for k, n in rang.items() if k[0] == "background"),
                recordings=len(recordings), background_spots=len(rang) - len(recordings), sources=len(rang),
                top=[dict(recording=name(k), false_alarms=n, heard=mixes_with(k)) for k, n in rang.most_common(top)])


def subset(probabilities, mixes, keep):
    picked = [i for i, m in enumerate(mixes) if keep(m)]
    return probabilities[picked], [mixes[i] for i in picked]


def analyse(parts: dict, real: RealData, model_threshold: float | None, thresholds=THRESHOLDS,
            budget: float = FALSE_ALARM_BUDGET, refractory_steps: int = REFRACTORY_STEPS) -> dict:
    """Recall (real, synthetic), false alarms per hour (real negatives) at every threshold;
    the chosen, fixed and model thresholds; per SNR and background at those."""
    rows = functools.partial(rows_at, refractory_steps=refractory_steps)  # the detector's chime rule
    (p_real, m_real), (p_syn, m_syn), (p_neg, m_neg) = parts["real"], parts["synthetic"], parts["negatives"]
    real_rows, syn_rows, neg_rows = rows(p_real, m_real, thresholds), rows(p_syn, m_syn, thresholds), \
        rows(p_neg, m_neg, thresholds)
    curve = [dict(threshold=r["threshold"], recall=r["recall"], hits=r["hits"], activates=r["activates"],
                  synthetic_recall=s["recall"], synthetic_hits=s["hits"], synthetic_activates=s["activates"],
                  false_alarms=n["false_alarms"], false_alarms_per_hour=n["false_alarms_per_hour"],
                  false_alarms_in_positive_mixes=r["false_alarms"])
             for r, s, n in zip(real_rows, syn_rows, neg_rows)]
    chosen = choose(curve, budget)
    named = {"chosen": chosen["threshold"], **{f"fixed {t:g}": t for t in FIXED_THRESHOLDS}}
    if any(m.distractors for m in m_neg):  # each distinct source of false alarms counted once
        hours = len(m_neg) * BACKGROUND_MS / 1000 / 3600
        for row, t in zip(curve, thresholds):
            row["false_alarm_sources"] = len({k for p, m in zip(p_neg, m_neg)
                                              for k in false_alarm_sources(p, m, t, refractory_steps)})
        named["distinct"] = choose([dict(r, false_alarms_per_hour=r["false_alarm_sources"] / hours) for r in curve],
                                   budget)["threshold"]
    if model_threshold is not None and model_threshold in thresholds:
        named["model's own"] = float(model_threshold)
    unseen = set(i for i, u in enumerate(real.positive_unseen) if u)
    names = [f"{Path(path).parent.name}/{Path(path).name}" for path in real.heldout_negative_paths]
    at = {}
    for name, t in named.items():
        k = thresholds.index(t)
        row = dict(curve[k])
        for label, keep in (("unseen_by_start", lambda m: m.source in unseen),
                            ("seen_by_start", lambda m: m.source not in unseen)):
            p, m = subset(p_real, m_real, keep)
            sub = rows(p, m, (t,))[0]
            row[f"recall_{label}"], row[f"activates_{label}"] = sub["recall"], sub["activates"]
        row["by_snr"] = {}
        for snr in sorted({m.snr for m in m_real + m_neg}, reverse=True):
            r = rows(*subset(p_real, m_real, lambda m: m.snr == snr), (t,))[0]
            s = rows(*subset(p_syn, m_syn, lambda m: m.snr == snr), (t,))[0]
            n = rows(*subset(p_neg, m_neg, lambda m: m.snr == snr), (t,))[0]
            row["by_snr"][f"{snr:g}"] = dict(recall=r["recall"], synthetic_recall=s["recall"],
                                             false_alarms_per_hour=n["false_alarms_per_hour"])
        row["ringers"] = ringers(p_neg, m_neg, t, names, refractory_steps)
        row["by_background"] = {}
        for kind in dict.fromkeys(m.background for m in m_real):
            r = rows(*subset(p_real, m_real, lambda m: m.background == kind), (t,))[0]
            row["by_background"][kind] = dict(recall=r["recall"], activates=r["activates"])
        at[name] = row
    hours = len(m_neg) * BACKGROUND_MS / 1000 / 3600
    return dict(curve=curve, at=at, budget=budget, negative_hours=hours, negative_mixes=len(m_neg),
                real_mixes=len(m_real), synthetic_mixes=len(m_syn))


def unclipped_budget(unclipped, unclipped_negatives, real, negatives, refractory_steps: int,
                     budget: float = FALSE_ALARM_BUDGET) -> dict:
    """Real people at 20 dB within the false-alarm budget, clipped as judged and with nothing clipped:
    each at the threshold choose() picks with the false alarms of its own negatives (the same mixes,
    clipped or 10 dB lower). What the proxy's figure would be if the hidden set did not clip."""
    out = {}
    for name, (p_pos, m_pos), (p_neg, m_neg) in (
            ("clipped", subset(*real, lambda m: m.snr == 20.0), negatives),
            ("unclipped", unclipped, unclipped_negatives)):
        rows = [dict(r, false_alarms_per_hour=n["false_alarms_per_hour"])  # recall of these, false alarms of those
                for r, n in zip(rows_at(p_pos, m_pos, THRESHOLDS, refractory_steps),
                                rows_at(p_neg, m_neg, THRESHOLDS, refractory_steps))]
        r, at_09 = choose(rows, budget), next(x for x in rows if x["threshold"] == 0.9)
        out[name] = dict(threshold=r["threshold"], recall=r["recall"], hits=r["hits"], activates=r["activates"],
                         false_alarms_per_hour=r["false_alarms_per_hour"], at_09=at_09["recall"],
                         false_alarms_per_hour_at_09=at_09["false_alarms_per_hour"])
    return out


def judge_word(word_dir: Path, real: RealData, args, model_dir: Path, progress_label: str = "") -> dict:
    from tqdm import tqdm

    from core.trigger import spotter

    detector = spotter.load_detector(model_dir)
    config = detector.config
    is_spotter = config.get("kind") == spotter.KIND
    if is_spotter and getattr(args, "confirm_windows", None) is not None:
        detector.confirm_windows = int(args.confirm_windows)  # judge a saved model under another rule
    confirm = int(getattr(detector, "confirm_windows", 1))
    if is_spotter and getattr(args, "slow_views", None) is not None:
        detector.slow_views = tuple(args.slow_views)  # judge a saved model with other slow views
    if is_spotter and getattr(args, "pitch_views", None) is not None:
        detector.pitch_views = tuple(args.pitch_views)  # judge a saved model with other pitch views
    if is_spotter and getattr(args, "view_confirm_windows", None) is not None:
        detector.view_confirm_windows = int(args.view_confirm_windows)
    if is_spotter and getattr(args, "declip", None) is not None:
        detector.declip = bool(args.declip)  # judge a saved model with or without declipping
    declipping = bool(getattr(detector, "declip", False))
    views = list(getattr(detector, "slow_views", ()))
    pitch_views = list(getattr(detector, "pitch_views", ()))
    hears_audio = is_spotter or config.get("kind") == "embedding_spotter"  # answers from the mix's audio
    if hears_audio:
        predict = lambda xs: [detector.clip_probabilities(x) for x in xs]  # noqa: E731
    else:
        predict = evaluate.predictor(detector.model)
    if (word_dir / "takes" / "takes.json").exists():  # the spotter recipe's voices
        from core.trigger.voicebank import takes

        clips, rows = takes.load_takes(word_dir / "takes", split="dev", kind="positive")
        synthetic = [trigger_bank.at_dbfs(resample(c, takes.RATE, SAMPLE_RATE), trigger_bank.CLIP_DBFS)
                     for c in clips]
        voice_ids = sorted({r["voice_id"] for r in rows})
    else:
        bank = trigger_bank.load_bank(word_dir / "bank", split="dev")
        synthetic = list(bank.activates)
        voice_ids = sorted({r["voice_id"] for r in bank.activate_info})
    backgrounds = judge_backgrounds(real, args.backgrounds_per_kind)
    n_negative = max(1, int(round(args.negative_hours * 3600 / (BACKGROUND_MS / 1000))))
    # the real other words at the words' level, so that the SNR holds for them too (training
    # reads them at whatever level they were recorded)
    negatives = [trigger_bank.at_dbfs(c, trigger_bank.CLIP_DBFS) for c in real.heldout_negatives]
    key = dict(version=JUDGE_VERSION, model=weights_key(model_dir), snrs=list(args.snrs), seed=JUDGE_SEED,
               positives=len(real.positives), synthetic=len(synthetic), negatives=n_negative,
               heldout=len(real.heldout_negatives), backgrounds=[k for k, _ in backgrounds])
    if confirm > 1:  # (absent for 1, so parts judged before the rule stay valid)
        key["confirm_windows"] = confirm
    if views:  # (absent without views, so parts judged before them stay valid)
        key["slow_views"] = views
    if pitch_views:
        key["pitch_views"] = pitch_views
    if views or pitch_views:
        if detector.view_confirm_windows != confirm:
            key["view_confirm_windows"] = detector.view_confirm_windows
    if declipping:  # (absent without, so parts judged before stay valid)
        key["declip"] = True
    deliveries = DELIVERIES if getattr(args, "deliveries", False) else {}
    voices_of = lambda how: synthetic if how.get("voices") == "synthetic" else real.positives  # noqa: E731
    total = ((len(real.positives) + len(synthetic)) * len(args.snrs) + n_negative
             + sum(len(voices_of(how)) for how in deliveries.values()))
    started = time.time()
    parts, delivered_parts = {}, {}
    with tqdm(total=total, unit="mix", desc=f"judge{progress_label}") as bar:
        for part, positives in (("real", real.positives), ("synthetic", synthetic), ("negatives", [])):
            parts[part] = run_part(part, predict, positives, negatives, backgrounds, list(args.snrs), n_negative,
                                   word_dir / "judge", dict(key, part=part), bar.update, hears_audio)
        for part, how in deliveries.items():
            clips = [delivered(c, **how) for c in voices_of(how)]
            delivered_parts[part] = run_part(part, predict, clips, negatives, backgrounds, [how["snr"]], 0,
                                             word_dir / "judge", dict(key, part=part, how=how), bar.update, hears_audio,
                                             how.get("band"), how.get("target_dbfs", TARGET_DBFS))
    report = analyse(parts, real, config.get("threshold"), refractory_steps=detector.refractory_steps)
    if delivered_parts:
        report["deliveries"] = {
            part: dict(label=DELIVERIES[part]["label"], snr=DELIVERIES[part]["snr"],
                       **{name: rows_at(*delivered_parts[part], (row["threshold"],),
                                        detector.refractory_steps)[0]["recall"]
                          for name, row in report["at"].items()},
                       curve={f"{r['threshold']:g}": r["recall"]  # recall at every threshold of the judge
                              for r in rows_at(*delivered_parts[part], THRESHOLDS, detector.refractory_steps)})
            for part in delivered_parts}
    if "unclipped" in delivered_parts:  # false alarms from the same negative mixes, unclipped too
        unclipped_negatives = run_part("negatives, unclipped", predict, [], negatives, backgrounds, list(args.snrs),
                                       n_negative, word_dir / "judge", dict(key, part="negatives, unclipped",
                                                                           target_dbfs=UNCLIPPED_DBFS),
                                       None, hears_audio, None, UNCLIPPED_DBFS)
        report["unclipped_budget"] = unclipped_budget(delivered_parts["unclipped"], unclipped_negatives,
                                                      parts["real"], parts["negatives"], detector.refractory_steps)
    report["refractory_steps"] = detector.refractory_steps  # the detector's chime rule (spotter: 1 s)
    report["confirm_windows"] = confirm  # windows in a row that must hear the word
    report["slow_views"] = views  # squeezed views heard beside the plain window (spotter.SLOW_VIEWS)
    report["pitch_views"] = pitch_views  # lowered (or raised) views of the plain window (spotter.PITCH_VIEWS)
    if views or pitch_views:
        report["view_confirm_windows"] = detector.view_confirm_windows  # windows in a row a view must hear it
    report["declip"] = declipping  # clipped runs repaired before the detector (core.trigger.declip)
    report["judge_seconds"] = round(time.time() - started, 1)
    report["backgrounds"] = dict(sorted({k: sum(1 for kk, _ in backgrounds if kk == k)
                                         for k, _ in backgrounds}.items()))
    report["snrs"] = list(args.snrs)
    report["synthetic_positives"] = len(synthetic)
    report["synthetic_voices"] = voice_ids
    return report


# ----------------------------------------------------------------------------- reporting
def pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def markdown(report: dict) -> str:
    j, word = report["judge"], report["word"]
    lines = [f"# Real-voice proxy: \"{word}\"", "",
             f"Model `{report['model_dir']}`: {report['training']}.",
             f"Judged on {report['real']['positives']} real recordings of \"{word}\" (none in training) and "
             f"{j['synthetic_positives']} held-out synthesized ones, each at SNR {', '.join(f'{s:g}' for s in j['snrs'])} dB; "
             f"false alarms on {j['negative_hours']:.2f} h of real other words "
             f"({report['real']['heldout_negatives']} held-out recordings, 1–4 per 10 s mix).", "",
             "| threshold | | recall: real people | recall: synthesized (held-out voices) | gap | "
             "false alarms/h: real other words |", "|---|---|---|---|---|---|"]
    if report["judge"].get("confirm_windows", 1) > 1:
        lines[3:3] = [f"The detector fires when {report['judge']['confirm_windows']} windows in a row (0.1 s apart) "
                      "pass the threshold.", ""]
    if report["judge"].get("slow_views"):
        j0 = report["judge"]
        lines[3:3] = [f"Slow views: it also hears each window's last {' and '.join(f'{2 * c:g} s' for c in j0['slow_views'])} "
                      "squeezed into 2 s and answers with the most confident view"
                      + (f", a view needing {j0['view_confirm_windows']} windows in a row"
                         if j0.get("view_confirm_windows", j0.get("confirm_windows")) != j0.get("confirm_windows") else "")
                      + ".", ""]
    if j.get("pitch_views"):
        lines[3:3] = [f"Pitch views: it also hears each window moved {' and '.join(f'{v:+g}' for v in j['pitch_views'])} "
                      "semitones (spotter.warp_matrix) and answers with the most confident view.", ""]
    if j.get("declip"):
        lines[3:3] = ["Declipped: every run of samples at full scale is rebuilt (core.trigger.declip) before the "
                      "detector hears the mix.", ""]
    why = {"chosen": f"best within {j['budget']:g} false alarm/h", "model's own": "chosen on synthesized dev",
           "distinct": f"best within {j['budget']:g} distinct false-alarm source/h"}
    for name, row in j["at"].items():
        gap = (row["synthetic_recall"] - row["recall"]) if row["synthetic_recall"] is not None and row["recall"] is not None else None
        lines.append(f"| {row['threshold']:g} | {why.get(name, 'fixed')} | {pct(row['recall'])} "
                     f"({row['hits']}/{row['activates']}) | {pct(row['synthetic_recall'])} "
                     f"({row['synthetic_hits']}/{row['synthetic_activates']}) | "
                     f"{'–' if gap is None else f'{100 * gap:+.1f} pts'} | {row['false_alarms_per_hour']:.2f} |")
    chosen = j["at"]["chosen"]
    lines += ["", f"At the chosen threshold {chosen['threshold']:g}, by SNR:", "",
              "| SNR (dB) | recall: real | recall: synthesized | false alarms/h |", "|---|---|---|---|"]
    for snr, r in chosen["by_snr"].items():
        fa = r["false_alarms_per_hour"]
        lines.append(f"| {snr} | {pct(r['recall'])} | {pct(r['synthetic_recall'])} | "
                     f"{'–' if fa is None else f'{fa:.2f}'} |")
    lines += ["", "Real recall by background at the chosen threshold: " + ", ".join(
        f"{k} {pct(v['recall'])}" for k, v in chosen["by_background"].items()) + ".",
              f"Real recall on the recordings the shipped model never heard, even as negatives (the held-out "
              f"quarter): {pct(chosen['recall_unseen_by_start'])} of {chosen['activates_unseen_by_start']} mixes; on "
              f"the other three quarters (negatives of the shipped model, so not new to a model transferred "
              f"from it): {pct(chosen['recall_seen_by_start'])} of {chosen['activates_seen_by_start']}.",
              "Held-out real negatives (recordings per word): " + ", ".join(
                  f"{w} {n}" for w, n in sorted(report["real"]["heldout_negative_words"].items(),
                                                key=lambda kv: -kv[1])) + "."]
    ring = [(name, row) for name, row in j["at"].items() if row.get("ringers", {}).get("recorded")]
    if ring:
        lines += ["", "Where the false alarms on real other words came from (a held-out recording is heard in "
                  "several mixes and each 10 s background loop in many, so one that rings costs several):", "",
                  "| threshold | false alarms | distinct recordings | of them from the background | distinct "
                  "background spots | loudest sources (false alarms / mixes it was in) |", "|---|---|---|---|---|---|"]
        for name, row in ring:
            r = row["ringers"]
            top = ", ".join(f"{t['recording']} {t['false_alarms']}/{t['heard']}" for t in r["top"][:4]) or "–"
            lines.append(f"| {r['threshold']:g} ({why.get(name, 'fixed')}) | {r['false_alarms']} | {r['recordings']} | "
                         f"{r['from_background']} | {r.get('background_spots', '–')} | {top} |")
    if j.get("deliveries"):
        distinct = j["at"].get("distinct")
        lines += ["", "Real people delivered otherwise (each recording once more, processed; a row that says so: the "
                  "held-out synthesized voices), recall at the chosen "
                  f"threshold {chosen['threshold']:g}"
                  + (f", at {distinct['threshold']:g} (within 1 distinct source/h)" if distinct else "")
                  + " and at 0.9:", "",
                  "| delivery | SNR (dB) | recall, chosen | " + ("recall, distinct | " if distinct else "")
                  + "recall, 0.9 |", "|---|---|---|" + ("---|" if distinct else "") + "---|"]
        lines += [f"| {d['label']} | {d['snr']:g} | {pct(d['chosen'])} | "
                  + (f"{pct(d.get('distinct'))} | " if distinct else "") + f"{pct(d.get('fixed 0.9'))} |"
                  for d in j["deliveries"].values()]
        lines.append("")
    if j.get("unclipped_budget"):
        u = j["unclipped_budget"]
        lines += [f"Clipped or not, each against its own false alarms (real people at 20 dB; the same negative "
                  f"mixes as judged, or 10 dB lower so that nothing clips): within 1 false alarm an hour "
                  f"{pct(u['unclipped']['recall'])} unclipped at {u['unclipped']['threshold']:g} "
                  f"({u['unclipped']['false_alarms_per_hour']:.1f}/h), {pct(u['clipped']['recall'])} clipped at "
                  f"{u['clipped']['threshold']:g} ({u['clipped']['false_alarms_per_hour']:.1f}/h); at 0.9 "
                  f"{pct(u['unclipped']['at_09'])} ({u['unclipped']['false_alarms_per_hour_at_09']:.1f}/h) and "
                  f"{pct(u['clipped']['at_09'])} ({u['clipped']['false_alarms_per_hour_at_09']:.1f}/h).", ""]
    card = report.get("model_card_dev")
    if card:
        lines.append(f"The trained model's card (train.judge: synthesized held-out voices, augmented, "
                     f"{card['dev_hours']:.2f} h): recall {pct(card['recall'])} with "
                     f"{card['false_alarms_per_hour']:.2f} false alarms/h at {card['threshold']:g}.")
    if report.get("note"):
        lines += ["", report["note"]]
    return "\n".join(lines) + "\n"


def compare_table(before: dict, after: dict) -> str:
    """Before/after rows of the headline figures for one word."""
    def row(label, r):
        j = r["judge"]["at"]
        return (f"| {label} | {r['steps']} | {j['chosen']['threshold']:g} | {pct(j['chosen']['recall'])} | "
                f"{pct(j['chosen']['synthetic_recall'])} | {j['chosen']['false_alarms_per_hour']:.2f} | "
                f"{pct(j['fixed 0.5']['recall'])} | {pct(j['fixed 0.9']['recall'])} |")
    return "\n".join([f"### \"{after['word']}\": before and after", "",
                      "| run | steps | threshold (≤ 1 FA/h) | real recall | synthesized recall | FA/h | "
                      "real recall at 0.5 | real recall at 0.9 |", "|---|---|---|---|---|---|---|---|",
                      row(f"before (`{before['out']}`)", before), row(f"after (`{after['out']}`)", after)]) + "\n"


def estimate(args, words) -> str:
    positives = {"computer": 411, "jarvis": 384, "alexa": 315}
    n_neg = args.negative_hours * 360
    per_word = []
    for w in words:
        mixes = (positives.get(w, 400) if args.proxy_recordings is None else args.proxy_recordings) * len(args.snrs)
        mixes += 0.21 * args.bank_positives * len(args.snrs) + n_neg + 2 * args.dev_mixes
        train_s = 0 if args.model else min(args.steps * SECONDS_PER_STEP * args.batch_size / 16,
                                           60 * (args.minutes or 1e9)) + 60
        bank_s = (args.bank_positives + args.bank_negatives) * 0.15  # 1,200 clips: 3.2 min under load
        per_word.append(bank_s + 50 + train_s + mixes * SECONDS_PER_MIX)
    gigabytes = 3.0 if args.tiny else PEAK_GB_AT_BATCH_6 + GB_PER_EXAMPLE * (args.batch_size - 6)
    text = (f"estimate on 2 idle cores: {sum(per_word) / 60:.0f} min "
            f"({', '.join(f'{w} {s / 60:.0f}' for w, s in zip(words, per_word))}); peak memory about "
            f"{gigabytes:.1f} GB while training (batch {args.batch_size}); other jobs on the cores stretch "
            f"training, which --minutes caps")
    if args.from_scratch and not args.model and args.steps < 1400:
        text += ("\nfrom scratch, the shipped model's first stage took 1,400 steps to hear 96% of synthesized "
                 "voices: give --steps 1400 or more")
    return text


# ----------------------------------------------------------------------------- main
def delivery_note(delivery: dict | None) -> str:
    """What a spotter run changed in how fast its takes are said ("" for the recipe's default)."""
    from core.trigger.training import spotter as recipe

    if not delivery:
        return ""
    if recipe.Delivery(**{k: tuple(v) if isinstance(v, list) else v for k, v in delivery.items()}) == recipe.DELIVERY:
        return ""  # (metrics.json holds its tuples as lists)
    notes = []
    if tuple(delivery.get("slow", recipe.DELIVERY.slow)) != recipe.DELIVERY.slow or delivery.get("vowel_share"):
        notes.append(f"slower deliveries at rates {delivery['slow'][0]:g}–{delivery['slow'][1]:g}")
    if delivery.get("vowel_share"):
        notes[-1] += (f", {delivery['vowel_share']:.0%} of them vowels drawn out (rates "
                      f"{delivery['vowel_rates'][0]:g}–{delivery['vowel_rates'][1]:g})")
    pitch = tuple(delivery.get("pitch", recipe.DELIVERY.pitch))
    if pitch != recipe.DELIVERY.pitch:
        notes.append(f"pitch {pitch[0]:+g}…{pitch[1]:+g} semitones".replace("-", "−"))
    if delivery.get("f0_share"):
        f0 = delivery.get("f0", recipe.DELIVERY.f0)
        notes.append(f"{delivery['f0_share']:.0%} with the voice's pitch alone moved {f0[0]:+g}…{f0[1]:+g} "
                     "semitones, formants kept".replace("-", "−"))
    return ", ".join(notes) + "; " if notes else ""


def run_word(word: str, args, command: str) -> dict:
    from core.trigger.training.spotter import TALKERS  # the recipe's default chance of distant talkers

    out = Path(args.out)
    word_dir = out / word
    word_dir.mkdir(parents=True, exist_ok=True)
    bank_dir = Path(args.bank_root) / word if args.bank_root else word_dir / "bank"
    if args.bank_root and not (word_dir / "bank").exists():
        (word_dir / "bank").symlink_to(bank_dir.resolve(), target_is_directory=True)
    timings = {}
    started = time.time()
    real = load_real(word, args.real_root, args.real_per_word, args.proxy_recordings)
    timings["read_real_s"] = round(time.time() - started, 1)
    print(f"{word}: {len(real.positives)} real recordings to judge ({sum(real.positive_unseen)} never heard by the "
          f"shipped model); {len(real.train_negatives)} real negatives for training, "
          f"{len(real.heldout_negatives)} held out for false alarms; {len(real.tones)} room tones", flush=True)
    voices = tiny_voices() if args.tiny else None
    started = time.time()
    if args.recipe == "spotter":
        bank_info = ensure_takes(word_dir, word, args, voices)
    else:
        bank_info = ensure_bank(bank_dir, word, args.bank_positives, args.bank_negatives, args.bank_backgrounds,
                                args.bank_seed, args.own_confusables, voices=voices,
                                engines=args.engines)
    timings["bank_s"] = round(time.time() - started, 1)
    members = []  # with --model, an ensemble's members' proxy reports
    if args.model:
        model_dir, metrics = Path(args.model), None
        if (model_dir / "metrics.json").exists():
            metrics = json.loads((model_dir / "metrics.json").read_text())
        training = f"judged as given (`--model {args.model}`), not trained here"
        steps = (metrics.get("steps", metrics.get("epochs", 0))) if metrics else 0  # spotter: epochs
        members = member_reports(metrics)
        if members:  # an ensemble of proxy models: say what its members were
            trainings = [m["training"] for m in members]
            same = len({re.sub(r"[\d.]+ min in all", "", t) for t in trainings}) == 1  # (minutes differ)
            training = (f"the mean of {len(members)} heads' answers (`--model {args.model}`, made by --ensemble), "
                        + (f"each trained as: {trainings[0]}" if same else
                           "; ".join(f"head {k} trained as: {t}" for k, t in enumerate(trainings, 1))))
    elif args.recipe == "spotter":
        started = time.time()
        metrics = train_spotter_word(word_dir, args, command)
        timings["train_s"] = round(time.time() - started, 1)
        model_dir, steps = word_dir / "model", metrics["epochs"]
        training = (f"the spotter recipe (core.trigger.training.spotter): {metrics['examples']:,} augmented 2 s windows "
                    f"× {metrics['epochs']} epochs from "
                    f"{'`' + args.mine_from + '`, the negatives it fires on drawn ' + str(args.mine_weight) + '× as often' if args.mine_from else 'a fresh model'}"
                    f", takes by {metrics['sources']['train']['voices']} "
                    f"training voices ({', '.join(metrics['sources']['train']['engines'])}); "
                    + (f"weights: the mean of epochs {metrics['averaged_epochs'][0]}–{metrics['averaged_epochs'][-1]}; "
                       if len(metrics.get("averaged_epochs") or []) > 1 else "")
                    + delivery_note(metrics.get("delivery"))
                    + (f"real recordings of {', '.join(args.exclude_real)} left out of training too; "
                       if args.exclude_real else "")
                    + (f"{metrics['clipped']:.0%} of the windows overdriven and clipped; "
                       if metrics.get("clipped") else "")
                    + (f"{metrics['chimeras']:.0%} of the real other words chimeras of two real recordings; "
                       if metrics.get("chimeras") else "")
                    + (f"{metrics['babble']:.0%} of the windows over a fresh babble of real recordings; "
                       if metrics.get("babble") else "")
                    + (f"{metrics['tails']:.0%} of the other windows over a looped real stretch of room beside a word; "
                       if metrics.get("tails") else "")
                    + (f"{metrics['joints']:.0%} of the windows over a room that changes abruptly partway; "
                       if metrics.get("joints") else "")
                    + (f"distant talkers in {metrics['talker_chance']:.0%} of the windows' rooms; "
                       if metrics.get("talker_chance", TALKERS) != TALKERS else "")
                    + ("heard through the frozen speech embedding (the embedding spotter's head); "
                       if metrics.get("front") == "speech_embedding" else "") +
                    f"{metrics['train_minutes']} min in all")
    else:
        started = time.time()
        metrics = train_word(word_dir, real, args, command)
        timings["train_s"] = round(time.time() - started, 1)
        model_dir, steps = word_dir / "model", metrics["steps"]
        start = "a fresh model" if args.from_scratch else f"the weights of `{args.start_from}`"
        training = (f"{steps} steps × {args.batch_size} fresh augmented examples from {start}, learning rate "
                    f"{args.learning_rate:g} (cosine to a tenth), confusables ×{args.confusable_weight}, "
                    f"hard negatives ×{args.hard_negative_weight}, seed {args.seed}; "
                    f"{metrics['train_minutes']} min of training in all")
    started = time.time()
    judge = judge_word(word_dir, real, args, model_dir, f": {word}")
    timings["judge_s"] = round(time.time() - started, 1)
    report = dict(word=word, out=str(out), model_dir=str(model_dir), steps=steps, training=training,
                  command=command, bank=bank_info, real=real.summary(), judge=judge, timings=timings)
    if metrics and "examples" in metrics:  # a spotter: how many windows it learned from
        report.update(examples=metrics["examples"], epochs=metrics["epochs"])
        report.update({k: metrics[k] for k in ("chimeras", "babble", "tails", "joints", "front") if metrics.get(k)})
        if metrics.get("talker_chance", TALKERS) != TALKERS:
            report["talker_chance"] = metrics["talker_chance"]
    if metrics and metrics.get("ensemble_of"):
        report.update(members=len(metrics["ensemble_of"]), member_seeds=metrics.get("member_seeds"))
        recipes = member_recipes(members)
        if len({re.sub(r", seed \d+", "", r) for r in recipes}) > 1:  # heads of different recipes: name each
            report["label"] = f"the mean of {len(recipes)} heads: " + " + ".join(recipes)
    if metrics and not args.model and args.recipe == "spotter":
        chosen = metrics["judged"]["chosen"]
        report["model_card_dev"] = dict(threshold=chosen["threshold"], recall=chosen["recall"],
                                        false_alarms_per_hour=chosen["false_alarms_per_hour"],
                                        dev_hours=metrics["judged"]["negative_hours"])
    elif metrics and not args.model:
        report["model_card_dev"] = {k: metrics.get(k) for k in ("threshold", "recall", "false_alarms_per_hour",
                                                                 "dev_hours", "final_train_loss", "dev_losses")}
        if metrics["steps"] < args.steps:
            report["note"] = (f"Training stopped at step {metrics['steps']} of {args.steps} (--minutes); the same "
                              f"command continues it.")
    if args.tiny:
        report["note"] = (report.get("note", "") + " A --tiny run: a handful of clips and steps, for tests; "
                          "its figures mean nothing.").strip()
    report = _clean(report)
    (word_dir / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    text = markdown(report)
    if args.compare and Path(args.compare, word, "report.json").exists():
        text += "\n" + compare_table(json.loads(Path(args.compare, word, "report.json").read_text()), report)
    (word_dir / "report.md").write_text(text)
    print(text, flush=True)
    return report


def member_reports(metrics: dict | None) -> list[dict]:
    """The proxy reports beside an ensemble's members (each member a proxy run's OUT/<word>/model,
    its report.json one folder up); [] for a model that is no ensemble or whose members' reports
    are gone."""
    paths = [Path(d).parent / "report.json" for d in (metrics or {}).get("ensemble_of") or []]
    if not paths or not all(p.exists() for p in paths):
        return []
    return [json.loads(p.read_text()) for p in paths]


def member_recipes(members: list[dict]) -> list[str]:
    """Each member report's row name (training.spotter.proxy_recipe)."""
    from core.trigger.training import spotter as recipe

    return [recipe.proxy_recipe(m) for m in members]


def parse_words(values) -> list[str]:
    words = []
    for value in values or ["computer"]:
        for w in value.split(","):
            w = w.strip().lower()
            if w == "all":
                words += list(WORDS)
            elif w:
                if w not in WORDS:
                    raise SystemExit(f"unknown proxy word {w!r}; choose from {', '.join(WORDS)} (or all)")
                words.append(w)
    return list(dict.fromkeys(words))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Defaults fit one word in about 30-40 minutes on 2 idle cores.")
    p.add_argument("--word", action="append", help="computer, jarvis, alexa or all; repeat or comma-separate "
                                                   "(default computer)")
    p.add_argument("--out", default="runs/proxy", help="folder; each word goes to OUT/<word>/")
    p.add_argument("--tiny", action="store_true", help="a few clips and steps: for tests, figures mean nothing")
    p.add_argument("--steps", type=int, default=None, help=f"training steps (default {DEFAULTS['steps']})")
    p.add_argument("--minutes", type=float, default=None,
                   help=f"stop training after this many minutes, judge, resume next time (default {DEFAULTS['minutes']:g})")
    p.add_argument("--batch-size", type=int, default=None, help=f"default {DEFAULTS['batch_size']}")
    p.add_argument("--seed", type=int, default=0, help="training seed (the judge's audio never depends on it)")
    p.add_argument("--start-from", default="models/trigger", help="model folder to transfer from (default: the shipped one)")
    p.add_argument("--from-scratch", action="store_true", help="train a fresh model instead (give it 1500+ steps)")
    p.add_argument("--model", default=None, help="judge this model folder only; no training")
    p.add_argument("--learning-rate", type=float, default=None, help="starting learning rate (default train's 1e-3)")
    p.add_argument("--confusable-weight", type=int, default=1)
    p.add_argument("--hard-negative-weight", type=int, default=1)
    p.add_argument("--own-confusables", action=argparse.BooleanOptionalAction, default=True,
                   help="add words that sound like part of the proxy word to the synthesized negatives")
    p.add_argument("--bank-size", type=int, default=None, help="shorthand: this many positives and negatives")
    p.add_argument("--bank-positives", type=int, default=None, help=f"default {DEFAULTS['bank_positives']}")
    p.add_argument("--bank-negatives", type=int, default=None, help=f"default {DEFAULTS['bank_negatives']}")
    p.add_argument("--bank-backgrounds", type=int, default=None, help=f"default {DEFAULTS['bank_backgrounds']}")
    p.add_argument("--bank-seed", type=int, default=1)
    p.add_argument("--bank-root", default=None, help="share banks between runs: BANK_ROOT/<word>")
    p.add_argument("--engines", nargs="+", default=None, help="TTS engines for the bank (default: every one here)")
    p.add_argument("--snrs", type=lambda s: tuple(float(v) for v in s.split(",")), default=None,
                   help=f"judge SNRs in dB, comma-separated (default {','.join(f'{s:g}' for s in SNRS)})")
    p.add_argument("--negative-hours", type=float, default=None, help=f"default {DEFAULTS['negative_hours']:g}")
    p.add_argument("--dev-mixes", type=int, default=None,
                   help=f"train.judge's synthesized dev mixes of each half (default {DEFAULTS['dev_mixes']})")
    p.add_argument("--real-per-word", type=int, default=None, help="read only this many real negatives per folder")
    p.add_argument("--proxy-recordings", type=int, default=None, help="judge only the first N real recordings")
    p.add_argument("--backgrounds-per-kind", type=int, default=None)
    p.add_argument("--real-root", default=None, help="default ../shared/data/real_speech")
    p.add_argument("--compare", default=None, help="an earlier --out: add a before/after table per word")
    p.add_argument("--recipe", choices=("course", "spotter"), default="course",
                   help="course: the course's model, transferred (the default); spotter: core.trigger.spotter's "
                        "recipe, trained from scratch")
    p.add_argument("--takes", default=None, help="spotter recipe: a takes folder to use (made there if missing)")
    p.add_argument("--examples", type=int, default=None, help="spotter recipe: training windows (default 50000)")
    p.add_argument("--epochs", type=int, default=None, help="spotter recipe: epochs (default 10)")
    p.add_argument("--mine-from", default=None, help="spotter recipe: continue from this trained spotter (learning "
                                                     "rate 5e-4), drawing the negatives it fires on more often")
    from core.trigger.training.spotter import TALKERS, add_delivery_arguments

    add_delivery_arguments(p)  # spotter recipe: how fast takes are said
    p.add_argument("--average-last", type=int, default=0,
                   help="spotter recipe: the model is the mean of its last N epochs' weights (default: the last)")
    p.add_argument("--deliveries", action="store_true",
                   help="also judge every real recording drawn out ×1.8, its vowels drawn out, pitched +6 and +10 "
                        "semitones, at 5 dB SNR, through a 60-4000 Hz microphone (and the held-out synthesized voices "
                        "so), and in a mix 10 dB lower where nothing clips (DELIVERIES)")
    p.add_argument("--confirm-windows", type=int, default=None,
                   help="spotter: judge with this many windows in a row needed to fire (default: the model's own)")
    p.add_argument("--slow-views", type=lambda s: tuple(float(v) for v in s.split(",") if v), default=None,
                   help="spotter: judge with these slow views, comma-separated factors, e.g. 1.5 (spotter.SLOW_VIEWS; "
                        "'' for none; default: the model's own)")
    p.add_argument("--pitch-views", type=lambda s: tuple(float(v) for v in s.split(",") if v), default=None,
                   help="spotter: judge with these pitch views, comma-separated semitones, e.g. -4 (spotter.PITCH_VIEWS; "
                        "'' for none; default: the model's own)")
    p.add_argument("--view-confirm-windows", type=int, default=None,
                   help="spotter with slow views: windows in a row a view must hear the word in (default: the model's own)")
    p.add_argument("--declip", action=argparse.BooleanOptionalAction, default=None,
                   help="spotter: judge with clipped runs repaired first (core.trigger.declip; default: the model's config)")
    p.add_argument("--clipped", type=float, default=0.0,
                   help="spotter recipe: the share of training windows overdriven and clipped (default 0)")
    p.add_argument("--chimeras", type=float, default=0.0,
                   help="spotter recipe: the share of real other words made of pieces of two real recordings (default 0)")
    p.add_argument("--babble", type=float, default=0.0,
                   help="spotter recipe: the share of windows over a babble of real recordings made for the window (default 0)")
    p.add_argument("--tails", type=float, default=0.0,
                   help="spotter recipe: the share of the other windows over a looped real stretch of room beside a "
                        "recorded word (default 0)")
    p.add_argument("--joints", type=float, default=0.0,
                   help="spotter recipe: the share of windows whose room changes abruptly partway (default 0)")
    p.add_argument("--talkers", type=float, default=TALKERS,
                   help=f"spotter recipe: the chance of distant talkers in a training window's room (default {TALKERS:g})")
    p.add_argument("--front", choices=("log_mel", "speech_embedding"), default="log_mel",
                   help="spotter recipe: log_mel trains the spotter; speech_embedding the embedding spotter's head on "
                        "the frozen speech embedding (core.trigger.embedding_spotter)")
    p.add_argument("--exclude-real", nargs="*", default=[],
                   help="spotter recipe: more real-speech folders to leave out of training (a diagnostic: do the "
                        "negatives recorded the way the proxy word was teach the model that way of recording?)")
    p.add_argument("--mine-weight", type=int, default=8, help="with --mine-from: how much more often (default 8)")
    return p


def resolve(args) -> argparse.Namespace:
    if args.bank_size is not None:
        args.bank_positives = args.bank_positives or args.bank_size
        args.bank_negatives = args.bank_negatives or args.bank_size
    base = TINY if args.tiny else DEFAULTS
    for name, value in base.items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    if args.learning_rate is None:
        from core.trigger.training.train import LEARNING_RATE

        args.learning_rate = LEARNING_RATE
    return args


def main(argv=None) -> int:
    args = resolve(parser().parse_args(argv))
    words = parse_words(args.word)
    real_root = Path(args.real_root or trigger_bank.REAL_SPEECH_DIR)
    if not (real_root / WAKE_FOLDER).is_dir():
        print(f"no real recordings in {real_root / WAKE_FOLDER}", file=sys.stderr)
        return 1
    if args.recipe == "course" and not args.model and not args.from_scratch and \
            not (start_folder(args.start_from) / "trigger_word.weights.h5").exists():
        print(f"no model to start from in {args.start_from} (or use --from-scratch)", file=sys.stderr)
        return 1
    command = "benchmarks/real_voice_proxy.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    print(estimate(args, words), flush=True)
    reports = []
    for k, word in enumerate(words):
        if k:  # each word builds and compiles its own model: drop the last one's (never in a one-word run,
            import gc  # which may share its process with other models, as in the tests)

            import keras

            keras.backend.clear_session()
            gc.collect()
        reports.append(run_word(word, args, command))
    if len(reports) > 1:
        lines = ["| word | steps | threshold (≤ 1 FA/h) | real recall | synthesized recall | FA/h | real at 0.5 | real at 0.9 |",
                 "|---|---|---|---|---|---|---|---|"]
        for r in reports:
            a = r["judge"]["at"]
            lines.append(f"| {r['word']} | {r['steps']} | {a['chosen']['threshold']:g} | {pct(a['chosen']['recall'])} | "
                         f"{pct(a['chosen']['synthetic_recall'])} | {a['chosen']['false_alarms_per_hour']:.2f} | "
                         f"{pct(a['fixed 0.5']['recall'])} | {pct(a['fixed 0.9']['recall'])} |")
        text = "\n".join(lines) + "\n"
        Path(args.out, "summary.md").write_text(text)
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
