"""Train the spotter (core.trigger.spotter) to hear people say a word.

    python -m core.trigger.training.spotter --takes runs/spotter/takes_activate --out models/spotter

The recipe, each part there because the real-voice proxy (benchmarks/real_voice_proxy.py)
or ../shared/DESIGN.md's measurements say it transfers to people:
- positives: takes by classic *and* neural TTS voices (core.trigger.voicebank.takes), in
  varied deliveries, then per example (Delivery): tempo 0.6-1.3 (drawn-out and hurried), pitch
  -3..+7 semitones (a 220 Hz voice up to ~330 Hz), vocal-tract length 0.85-1.2, sometimes
  breathy (whispered-like: the spectrum's phase randomised), room reverb;
- negatives: hard ones (words that share sounds, pieces of the word: "acti", "vate"),
  ordinary words, real recordings of other words (P_REAL_OTHER of the other words, and real
  words are put beside synthesized positives too, so "sounds real" never means "negative"; with
  --chimeras, as the shipped model's recipe has it, half of them made afresh from the start of one
  real recording and the end of another: chimera), the word
  itself placed where the label says no (ended long ago, or not finished), and other words
  ending exactly where a positive would ("ends like it");
- each 2 s window over a background: synthetic noises, hum, fan, music, babble of real
  speech, real room tone from the silences of real recordings, at 0-30 dB SNR (15% at
  -3..5 dB); with --babble, as the shipped model's recipe has it (0.25), that share of windows
  over a babble of 4-12 real recordings made for the window (background); with --tails (not
  adopted), that share of the rest over a looped real stretch of room beside a recorded word; random
  overall level (the model's window normalisation makes level irrelevant) and microphone
  band limits (80-400 Hz to 3.4-7.6 kHz);
- SpecAugment-style time and band masks while training.
Every example comes from its own seed, so a run's data is reproducible (and its training on one
machine: v8's command run again gave its weights bit for bit; across machines a rerun of one seed
differed by up to 8 points on the proxy); the data is made once per
round by two worker processes and the model trained on it with Adam, binary cross-entropy.

The threshold is chosen by false alarms alone: the lowest threshold (most sensitive) whose
false alarms on held-out real speech of other words stay within FALSE_ALARM_BUDGET, since
recall on synthesized voices is what does not transfer; false alarms on synthesized
sound-alike words are measured and reported beside it.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import re
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.trigger import embedding_spotter, logmel, spotter
from core.trigger.audio import AudioError, read_any, to_int16
from core.trigger.detect import STEP_SECONDS
from core.trigger.synth import TARGET_DBFS, match_target_amplitude
from core.trigger.training import evaluate
from core.trigger.voicebank import augment, takes
from core.trigger.voicebank.backgrounds import KINDS, babble, make_background
from core.trigger.voicebank.bank import ORDINARY, REAL_SPEECH_DIR, real_files, trim_silence
from core.trigger.voicebank.roomtone import loop_to, quiet_frames, quiet_stretch

RATE = logmel.RATE
W = spotter.WINDOW_SAMPLES
MAX_REAL_S = 3.0
# Window kinds. "ends like it": another word (real or synthesized) ends exactly where a positive
# would: without these the first proxy run rang 85 times an hour on real people's other words at 0.9.
P_KIND = {"positive": 0.40, "late": 0.07, "unfinished": 0.08, "negatives": 0.20, "ends like it": 0.18,
          "background": 0.07}
P_REAL_OTHER = 0.45  # the share of other words that are real recordings
SNR_DB = (0.0, 30.0)
OVERDRIVE_DB = (0.0, 10.0)  # how far past full scale an overdriven window's peak is set (train(clipped=...))
TALKERS = 0.25  # the chance of distant talkers in every 2 s of a room (background; train(talker_chance=...))
BABBLE_VOICES = (4, 13)  # talkers at once in a window's fresh babble (train(babble=...))
CHIMERA_PIECE_S = (0.15, 0.6)  # each piece of a chimera (train(chimeras=...)): about a syllable or two
# What a window becomes before the network: the spotter's log-mel frames, or the frozen speech
# embedding's 16 vectors (core.trigger.speech_embedding) for the embedding spotter's head.
LOG_MEL, SPEECH_EMBEDDING = "log_mel", "speech_embedding"
FRONTS = (LOG_MEL, SPEECH_EMBEDDING)


@dataclass(frozen=True)
class Delivery:
    """How fast a take is said in a window: 60% of deliveries are re-timed, 60% of those slower
    (slow: time-stretch rates, 0.5 is twice as long), the rest faster. vowel_share of the slower
    ones are drawn out as people do it, the vowels alone slowed to vowel_rates
    (augment.drawn_out), instead of evenly. Half of all deliveries are pitched by pitch
    semitones (+7 takes a 220 Hz voice to ~330 Hz, +10 to ~390 Hz), formants with it (a smaller
    voice). f0_share of all deliveries then have their voice's pitch alone moved by f0 semitones,
    formants kept (augment.change_f0), as an excited person's voice rises."""

    slow: tuple = (0.6, 1.0)
    fast: tuple = (1.0, 1.3)
    vowel_share: float = 0.0
    vowel_rates: tuple = (0.3, 0.7)
    pitch: tuple = (-3.0, 7.0)
    f0_share: float = 0.0
    f0: tuple = (0.0, 10.0)


DELIVERY = Delivery()
FALSE_ALARM_BUDGET = 0.7  # per hour on held-out real speech of other words (the goal: <= 1 on people's)
THRESHOLDS = evaluate.FINE_THRESHOLDS  # every 0.05, and every 0.01 from 0.9
DEFAULTS = dict(examples=50000, epochs=10, batch_size=128, learning_rate=2e-3, dev_examples=3000,
                event_mixes=240, negative_hours=3.0, backgrounds=40)


# ----------------------------------------------------------------------------- sources
@dataclass
class RealSpeech:
    """Real recordings of other words at RATE (trimmed), and room tone from their silences, in
    bank.real_files' split."""
    train: list
    held: list
    held_words: list  # the folder of each held-out clip
    train_tones: list
    held_tones: list
    train_stretches: list = field(default_factory=list)  # the room beside the word, as recorded (quiet_stretch)
    held_stretches: list = field(default_factory=list)


def real_speech(root=REAL_SPEECH_DIR, exclude=(), max_s: float = MAX_REAL_S, tone_every: int = 3,
                tone_limit: int = 300, stretch_limit: int = 1000) -> RealSpeech:
    """Every real recording but those of the folders in exclude (a proxy word's), read once.

    The split is bank.real_files': every REAL_DEV_EVERY-th file over all folders is held out,
    counted with the excluded folders too, so a proxy word's held-out negatives are the same
    files whatever is excluded. Every tone_every-th file also gives its room tone (at most
    tone_limit per split); every file its stretch of room beside the word, if long enough
    (quiet_stretch; at most stretch_limit per split)."""
    out = RealSpeech([], [], [], [], [])
    for k, (folder, path, heldout) in enumerate(real_files(root)):
        if folder in exclude:
            continue
        try:
            raw = read_any(path, RATE)
        except AudioError:
            continue
        tones = out.held_tones if heldout else out.train_tones
        if (k + 1) % tone_every == 0 and len(tones) < tone_limit:
            tone = quiet_frames(raw, RATE)
            if tone is not None:
                tones.append(tone)
        stretches = out.held_stretches if heldout else out.train_stretches
        stretch = quiet_stretch(raw, RATE) if len(stretches) < stretch_limit else None
        if stretch is not None:
            stretches.append(stretch.astype(np.float32))
        clip = trim_silence(raw, RATE)[:int(max_s * RATE)]
        if len(clip) < RATE // 10:
            continue
        (out.held if heldout else out.train).append(clip)
        if heldout:
            out.held_words.append(folder)
    return out


@dataclass
class Sources:
    positives: list
    hard: list  # synthesized hard negatives
    ordinary: list  # synthesized ordinary negatives
    real: list  # real recordings of other words
    backgrounds: list  # 10 s at RATE, every kind
    tones: list  # real room tone
    info: dict = field(default_factory=dict)
    augmented: bool = False  # the word pools already hold augmented deliveries (augment_sources)
    clipped: float = 0.0  # the share of windows set too hot and clipped (overdriven)
    chimeras: float = 0.0  # the share of real other words made of pieces of real recordings (chimera)
    babble: float = 0.0  # the share of windows over a babble of real recordings made for that window
    stretches: list = field(default_factory=list)  # real room beside recorded words, as recorded (quiet_stretch)
    tails: float = 0.0  # the share of the windows not over babble that sit over a looped stretch (background)
    front: str = LOG_MEL  # what a window becomes: log-mel frames, or speech embeddings (FRONTS)
    joints: float = 0.0  # the share of windows whose room changes abruptly partway (make_window)
    talker_chance: float = TALKERS  # the chance of distant talkers in every 2 s of a room (background)

    def word(self, clip, rng) -> np.ndarray:
        """A delivery of clip: itself when the pools are augmented already, else augment_word's."""
        return clip if self.augmented else augment_word(clip, rng)


def load_sources(takes_dir, split: str, real_clips, tones, n_backgrounds: int, seed: int, stretches=()) -> Sources:
    clips, rows = takes.load_takes(takes_dir, split=split)
    positives = [c for c, r in zip(clips, rows) if r["kind"] == "positive"]
    # hard: everything but the ordinary words and phrases (confusables, pieces of the word, other wake words)
    hard = [c for c, r in zip(clips, rows) if r["kind"] == "negative" and r["text"] not in ORDINARY]
    ordinary = [c for c, r in zip(clips, rows) if r["kind"] == "negative" and r["text"] in ORDINARY]
    rng = np.random.default_rng([seed, 77])
    talkers = [(c, RATE) for c in (real_clips[:400] or ordinary)]
    backgrounds = [make_background(KINDS[i % len(KINDS)], rng, -30.0, sample_rate=RATE, clips=talkers)
                   for i in range(n_backgrounds)]
    info = dict(positives=len(positives), hard=len(hard), ordinary=len(ordinary), real=len(real_clips),
                tones=len(tones), stretches=len(stretches), backgrounds=len(backgrounds),
                voices=len({r["voice_id"] for r in rows if r["kind"] == "positive"}),
                engines=sorted({r["engine"] for r in rows}))
    return Sources(positives, hard, ordinary, list(real_clips), backgrounds, list(tones), info,
                   stretches=list(stretches))


# ----------------------------------------------------------------------------- augmentation
def rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def augment_word(clip: np.ndarray, rng, delivery: Delivery = DELIVERY) -> np.ndarray:
    """One delivery of a take: tempo, pitch, vocal tract, breathiness, room."""
    x = np.asarray(clip, np.float32)
    if rng.random() < 0.6:
        # slower more often than faster: people drew the word out to 2.4 s
        if rng.random() < 0.6:
            if delivery.vowel_share and rng.random() < delivery.vowel_share:
                x = augment.drawn_out(x, float(rng.uniform(*delivery.vowel_rates)), rng)
            else:
                x = augment.time_stretch(x, float(rng.uniform(*delivery.slow)))
        else:
            x = augment.time_stretch(x, float(rng.uniform(*delivery.fast)))
    if rng.random() < 0.5:
        x = augment.change_pitch(x, float(rng.uniform(*delivery.pitch)))
    if delivery.f0_share and rng.random() < delivery.f0_share:  # (no draw without it: deliveries draw as before)
        x = augment.change_f0(x, float(rng.uniform(*delivery.f0)), RATE)
    if rng.random() < 0.4:
        x = augment.change_vocal_tract(x, float(rng.uniform(0.85, 1.2)))
    if rng.random() < 0.06:
        x = augment.breathy(x, rng)
    if rng.random() < 0.5:
        x = augment.reverb(x, rng, float(rng.uniform(0.15, 0.8)), float(rng.uniform(0.15, 0.6)), RATE)
    return x / (rms(x) or 1.0)


def crop(source: np.ndarray, n: int, rng, fade_ms: int = 0) -> np.ndarray:
    """n samples of source from a random start; a shorter source repeated, its joints crossfaded
    over fade_ms (0: butted, as training windows have always been made)."""
    if len(source) >= n:
        start = int(rng.integers(0, len(source) - n + 1))
        return np.array(source[start:start + n], np.float32)
    if fade_ms:
        return loop_to(source, n, RATE, fade_ms)
    reps = int(math.ceil(n / max(1, len(source))))
    return np.tile(source, reps)[:n].astype(np.float32)


def background(src: Sources, rng, n: int = W, fade_ms: int = 0, talkers: bool = True) -> np.ndarray:
    """n samples (2 s unless told) of a room: a piece of a background loop or of real room tone
    (fade_ms: crop's, for room tone shorter than n), or hiss, sometimes with distant talkers (real
    recordings 0-10 dB under the room, at src.talker_chance for every 2 s; talkers=False: none);
    with src.babble, that share of windows a babble of real recordings made for the window (the
    loops hold only a few babbles: 40 loops, one kind in seven); with src.tails, that share of the
    rest a real stretch of room beside a recorded word, looped: breath, the word's fading tail, a
    click, as a quiet room with a person in it sounds."""
    if src.babble and src.real and rng.random() < src.babble:
        talkers = [(src.real[int(i)], RATE) for i in rng.integers(len(src.real), size=24)]
        x = babble(rng, n, RATE, talkers, voices=int(rng.integers(*BABBLE_VOICES)))
        return (x / (rms(x) or 1.0)).astype(np.float32)
    u = rng.random()
    if src.tails and src.stretches and rng.random() < src.tails:  # (no draw without it: windows draw as before)
        piece = src.stretches[int(rng.integers(len(src.stretches)))]
        offset = int(rng.integers(len(piece)))
        x = loop_to(piece, offset + n, RATE)[offset:]
    elif u < 0.5 or not src.tones:
        x = crop(src.backgrounds[int(rng.integers(len(src.backgrounds)))], n, rng, fade_ms)
    elif u < 0.8:
        x = crop(src.tones[int(rng.integers(len(src.tones)))], n, rng, fade_ms)
    else:
        x = rng.standard_normal(n).astype(np.float32) * 0.01  # a quiet, steady hiss
    for _ in range(max(1, round(n / W)) if talkers and src.real else 0):  # distant talkers, as often for any n
        if rng.random() < src.talker_chance:
            for _ in range(int(rng.integers(1, 4))):
                other = src.real[int(rng.integers(len(src.real)))]
                x = place(x, other / (rms(other) or 1.0) * rms(x) * float(rng.uniform(0.3, 1.0)),
                          int(rng.integers(-len(other), n)))
    return x / (rms(x) or 1.0)


def place(audio: np.ndarray, clip: np.ndarray, start: int) -> np.ndarray:
    """Add clip into audio from sample start (negative: its beginning is cut off)."""
    out = audio.copy()
    a, b = max(0, start), min(len(audio), start + len(clip))
    if b > a:
        out[a:b] += clip[a - start:b - start]
    return out


def pick(rng, *pools):
    """A random clip from a random non-empty pool (the first pool's when all are empty: an error)."""
    pools = [p for p in pools if p] or [pools[0]]
    pool = pools[int(rng.integers(len(pools)))]
    return pool[int(rng.integers(len(pool)))]


def chimera(pool: list, rng) -> np.ndarray:
    """A real voice saying no word: the start of one real recording (or a piece of it) and the end
    of another, or of the same one played backwards, joined with a 10 ms crossfade. Real people's
    other words are few here (hundreds of recordings of a dozen words); these give the network real
    voices, rooms and microphones in sound sequences it never heard as words."""
    first, second = pool[int(rng.integers(len(pool)))], pool[int(rng.integers(len(pool)))]
    if rng.random() < 0.3:
        second = first[::-1]
    lo, hi = (int(s * RATE) for s in CHIMERA_PIECE_S)
    head = first[:int(rng.integers(lo, hi + 1))]  # (all of it when it is shorter)
    n_tail = min(len(second), int(rng.integers(lo, hi + 1)))
    tail = second[len(second) - n_tail:] / (rms(second) or 1.0) * (rms(first) or 1.0)
    fade = min(int(0.01 * RATE), len(head), len(tail))
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    joint = head[len(head) - fade:] * (1.0 - ramp) + tail[:fade] * ramp
    return np.concatenate([head[:len(head) - fade], joint, tail[fade:]]).astype(np.float32)


def make_window(src: Sources, seed) -> tuple[np.ndarray, float]:
    """One 2 s training window at RATE and its label (1: the word ended 0.03-0.5 s before its end)."""
    rng = np.random.default_rng(seed)
    kinds = list(P_KIND)
    kind = kinds[int(rng.choice(len(kinds), p=np.array(list(P_KIND.values())) / sum(P_KIND.values())))]
    speech = np.zeros(W, np.float32)
    label = 0.0
    taken_until = W  # where a word placed before the positive must end
    if kind in ("positive", "late", "unfinished") and src.positives:
        word = src.word(pick(rng, src.positives), rng)
        if kind == "positive":
            end = W - int(rng.uniform(*spotter.POSITIVE_END_S) * RATE)
            label = 1.0
        elif kind == "late":
            end = W - int(rng.uniform(spotter.NEGATIVE_AFTER_S, 1.6) * RATE)
        else:  # not finished: the window ends 0.15 s to most of the word before its end
            end = W + int(rng.uniform(0.15, max(0.2, 0.8 * len(word) / RATE)) * RATE)
        speech = place(speech, word, end - len(word))
        taken_until = end - len(word)
    if kind == "ends like it":
        u = rng.random()
        other = pick(rng, src.real, src.hard) if u < P_REAL_OTHER else pick(rng, src.hard, src.ordinary, src.real) \
            if u < 0.8 else pick(rng, src.ordinary, src.hard, src.real)
        other = src.word(other, rng)
        if src.chimeras and u < P_REAL_OTHER and src.real and rng.random() < src.chimeras:
            other = chimera(src.real, rng)
        end = W - int(rng.uniform(spotter.POSITIVE_END_S[0], spotter.POSITIVE_END_S[1] + 0.1) * RATE)
        speech = place(speech, other, end - len(other))
        taken_until = end - len(other)
    n_others = int(rng.integers(1, 3)) if kind == "negatives" else int(rng.random() < 0.35)
    for _ in range(n_others):
        use_real = src.real and rng.random() < P_REAL_OTHER
        other = pick(rng, src.real) if use_real else (pick(rng, src.hard) if rng.random() < 0.6 and src.hard
                                                        else pick(rng, src.ordinary, src.hard, src.real))
        other = src.word(other, rng)
        if use_real and src.chimeras and rng.random() < src.chimeras:
            other = chimera(src.real, rng)
        if kind == "negatives":
            start = int(rng.integers(-len(other) // 2, W - len(other) // 3))
        else:  # before the positive (or anywhere before the window's end)
            latest = min(taken_until, W) - len(other) - int(0.05 * RATE)
            if latest < -len(other) // 2:
                continue
            start = int(rng.integers(-len(other) // 2, latest + 1))
        speech = place(speech, other * float(rng.uniform(0.5, 1.5)), start)
    noise = background(src, rng)
    if src.joints and rng.random() < src.joints:  # (no draw without it: windows draw as before)
        noise = room_change(noise, background(src, rng), rng)
    if kind == "background" or not np.any(speech):
        audio = noise
    else:
        snr = float(rng.uniform(*SNR_DB)) if rng.random() < 0.85 else float(rng.uniform(-3.0, 5.0))
        audio = speech + noise * rms(speech[np.abs(speech) > 0]) * 10 ** (-snr / 20)
    if rng.random() < 0.5:
        audio = augment.band_limit(audio, float(rng.uniform(80, 400)), float(rng.uniform(3400, 7600)), RATE)
    audio = audio / (np.max(np.abs(audio)) or 1.0) * 10 ** (float(rng.uniform(-40.0, -1.0)) / 20)
    if src.clipped and rng.random() < src.clipped:  # (drawn last: without it, windows draw as before)
        audio = overdriven(audio, float(rng.uniform(*OVERDRIVE_DB)))
    return audio.astype(np.float32), label


JOINT_LEVEL_DB = (-6.0, 6.0)  # the second room's level against the first's (room_change)


def room_change(first: np.ndarray, second: np.ndarray, rng) -> np.ndarray:
    """first's room, then from a random point second's, butted (no fade) at a level JOINT_LEVEL_DB
    apart: a door opening, music starting, a fan switching on; meant to teach the head that an
    abrupt change of room is not the word. Not in the shipped recipe: the dev judge's butted
    pieces turned out not to be what rang it (benchmarks/room_changes.py), and a head trained with
    a quarter of its windows so rang as often as its twin without."""
    at = int(rng.integers(len(first) // 8, len(first)))
    gain = 10 ** (float(rng.uniform(*JOINT_LEVEL_DB)) / 20)
    return np.concatenate([first[:at], second[at:len(first)] * gain]).astype(np.float32)


def overdriven(audio: np.ndarray, over_db: float) -> np.ndarray:
    """audio with its peak over_db above full scale, clipped there and rounded to 16 bits: a loud
    word into a hot microphone, or a clip made the course's way (the whole set to -20 dBFS by its
    RMS, which takes a loud word's peaks past full scale: the real-voice proxy's judged mixes clip
    in 99.6% of cases, a median of 548 samples each)."""
    x = np.asarray(audio, np.float32) / (np.max(np.abs(audio)) or 1.0) * np.float32(10 ** (over_db / 20))
    return to_int16(np.clip(x, -1.0, 1.0)).astype(np.float32) / np.float32(32767.0)  # (to_int16 alone saturates
    # at -32768, a hair past -1 once divided: clipped first, both halves stop at full scale)


def _variants(job):
    clips, n, seed, delivery = job
    return [augment_word(clip, np.random.default_rng([seed, i, v]), delivery)
            for i, clip in enumerate(clips) for v in range(n)]


def augment_sources(src: Sources, seed: int, per_positive: int = 8, per_negative: int = 3,
                    processes: int = 2, delivery: Delivery = DELIVERY) -> Sources:
    """A copy of src whose word pools hold per_positive (per_negative) augmented deliveries of
    every clip, made once: augmentation is most of an example's cost, the windows then mix them."""
    pools = {"positives": (src.positives, per_positive), "hard": (src.hard, per_negative),
             "ordinary": (src.ordinary, per_negative), "real": (src.real, max(1, per_negative - 1))}
    jobs, owners = [], []
    for k, (name, (clips, n)) in enumerate(pools.items()):
        for first in range(0, len(clips), 50):
            jobs.append((clips[first:first + 50], n, (seed, k, first), delivery))
            owners.append(name)
    if processes > 1 and len(jobs) > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(processes) as pool:
            results = pool.map(_variants, jobs)
    else:
        results = [_variants(j) for j in jobs]
    out = {name: [] for name in pools}
    for name, result in zip(owners, results):
        out[name] += result
    return dataclasses.replace(src, positives=out["positives"], hard=out["hard"], ordinary=out["ordinary"],
                               real=out["real"], info=dict(src.info, per_positive=per_positive,
                                                           per_negative=per_negative), augmented=True)


def mine(detector, clips, threshold: float = 0.5, batch: int = 256) -> np.ndarray:
    """Indices of the clips (other words) the detector fires on when a window ends 0.25 s after
    them, over quiet hiss: the negatives it confuses with the word, to be drawn more often."""
    fired = []
    for first in range(0, len(clips), batch):
        frames = []
        for clip in clips[first:first + batch]:
            audio = np.random.default_rng(first).standard_normal(W).astype(np.float32) * 1e-3
            audio = place(audio, clip / (rms(clip) or 1.0) * 0.1, W - int(0.25 * RATE) - len(clip))
            frames.append(logmel.log_mel(audio))
        p = detector.window_probabilities(np.stack(frames))
        fired += [first + i for i in np.flatnonzero(p > threshold)]
    return np.array(fired, int)


def with_mined(src: Sources, detector, weight: int, log=print) -> tuple[Sources, dict]:
    """src with every real and synthesized negative the detector fires on repeated weight times."""
    out, counts = {}, {}
    for name in ("real", "hard", "ordinary"):
        clips = getattr(src, name)
        hits = mine(detector, clips) if clips else np.zeros(0, int)
        counts[name] = int(len(hits))
        out[name] = list(clips) + [clips[i] for i in hits for _ in range(weight - 1)]
    log(f"mined: {counts} of {len(src.real)} real, {len(src.hard)} hard, {len(src.ordinary)} ordinary, x{weight}")
    return dataclasses.replace(src, hard=out["hard"], ordinary=out["ordinary"], real=out["real"],
                               info=dict(src.info, mined=counts, mined_weight=weight)), counts


def make_features(src: Sources, seeds) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for seed in seeds:
        audio, label = make_window(src, seed)
        if src.front == SPEECH_EMBEDDING:  # mel frames here; embedded in the parent (embedded)
            xs.append(_mel_front().mel(audio))
        else:
            xs.append(logmel.log_mel(audio).astype(np.float16))
        ys.append(label)
    return np.stack(xs), np.array(ys, np.float32)


_WORKER_SOURCES: Sources | None = None
_MEL_FRONT = None  # the speech embedding's mel tables, read once per process


def _mel_front():
    global _MEL_FRONT
    if _MEL_FRONT is None:
        from core.trigger import speech_embedding

        _MEL_FRONT = speech_embedding.MelFront(speech_embedding.load_weights())
    return _MEL_FRONT


def embedded(mels: np.ndarray, front=None, chunk: int = 2048) -> np.ndarray:
    """make_dataset's mel windows (n, 199, 32) → the embedding spotter's (n, 16, 96), float16: the
    frozen network runs here, in the training process, not in the forked data workers."""
    from core.trigger import speech_embedding

    front = front or speech_embedding.SpeechEmbedding()
    parts = [front.embed_mel_batch(mels[a:a + chunk]).astype(np.float16) for a in range(0, len(mels), chunk)]
    return np.concatenate(parts)[:, :embedding_spotter.WINDOW_EMBEDDINGS]


def _init_worker(src):
    global _WORKER_SOURCES
    _WORKER_SOURCES = src


def _work(seeds):
    return make_features(_WORKER_SOURCES, seeds)


def make_dataset(src: Sources, n: int, seed: int, processes: int = 2, chunk: int = 500):
    """n examples (features float16, labels) from seeds (seed, i); processes > 1 uses a pool."""
    batches = [[(seed, i) for i in range(a, min(n, a + chunk))] for a in range(0, n, chunk)]
    if processes <= 1 or n <= chunk:
        parts = [make_features(src, b) for b in batches]
    else:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(processes, _init_worker, (src,)) as pool:
            parts = pool.map(_work, batches)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def spec_augment(batch: np.ndarray, rng, p: float = 0.8) -> np.ndarray:
    """Two band masks (≤ 5 bands) and two time masks (≤ 20 frames) per window, set to the
    window's band means (so they vanish after WindowNormalise)."""
    out = batch.astype(np.float32)
    means = out.mean(axis=1, keepdims=True)
    for i in range(len(out)):
        if rng.random() > p:
            continue
        for _ in range(2):
            w = int(rng.integers(0, 6))
            f = int(rng.integers(0, logmel.N_MELS - w + 1))
            out[i, :, f:f + w] = means[i, :, f:f + w]
            t_w = int(rng.integers(0, 21))
            t = int(rng.integers(0, out.shape[1] - t_w + 1))
            out[i, t:t + t_w, :] = means[i]
    return out


# ----------------------------------------------------------------------------- judging on 10 s mixes
ROOM_FADE_MS = 20  # crossfade where one_room loops a short room tone


def event_mixes(src: Sources, n: int, seed: int, with_words: bool, snr_db: tuple = (5.0, 30.0),
                course_level: bool = False, one_room: bool = False, talkers: bool = True) -> list:
    """10 s mixes at 44.1 kHz with (activate_ends_ms) for evaluate.event_metrics: with_words puts
    1-3 positives in each (and an other word); else 1-4 negatives (real and synthesized), over a
    background snr_db (LOW, HIGH) below the words. course_level: each mix set to -20 dBFS by its
    RMS and rounded to 16 bits as the course's clips are (match_target_amplitude), loud words
    clipped; else its peak at -30..-3 dBFS, nothing clipped. The background: five 2 s pieces of
    different rooms butted end to end (judge()'s), or with one_room one room for the whole 10 s
    (short room tone looped with crossfades), as the proxy's backgrounds and a real room are, with
    as many distant talkers (benchmarks/room_changes.py compares the two); talkers=False: none."""
    from core.trigger.audio import SAMPLE_RATE, resample

    mixes = []
    n10 = 10 * RATE
    for k in range(n):
        rng = np.random.default_rng([seed, k, int(with_words)])
        if one_room:
            bg = background(src, rng, n10, ROOM_FADE_MS, talkers)
        else:
            bg = np.concatenate([background(src, rng, talkers=talkers) for _ in range(5)])[:n10]
        speech = np.zeros(n10, np.float32)
        ends, cursor = [], int(rng.integers(0, RATE))
        is_word = [True] * int(rng.integers(1, 4)) + [False] * int(rng.integers(0, 2)) if with_words \
            else [False] * int(rng.integers(1, 5))
        for i in rng.permutation(len(is_word)):
            is_pos = is_word[i]
            if is_pos:
                clip = src.word(pick(rng, src.positives), rng)
            else:
                clip = src.word(pick(rng, src.real, src.hard, src.ordinary), rng)
            if cursor + len(clip) > evaluate.SCORABLE_END_MS * RATE // 1000:
                break
            speech = place(speech, clip, cursor)
            if is_pos:
                ends.append(int((cursor + len(clip)) * 1000 / RATE))
            cursor += len(clip) + int(rng.uniform(0.7, 2.0) * RATE)
        snr = float(rng.uniform(*snr_db))
        level = rms(speech[np.abs(speech) > 0]) if np.any(speech) else 1.0
        audio = speech + bg * level * 10 ** (-snr / 20)
        audio = audio / (np.max(np.abs(audio)) or 1.0) * 10 ** (float(rng.uniform(-30.0, -3.0)) / 20)
        if course_level:
            audio = to_int16(match_target_amplitude(audio.astype(np.float32), TARGET_DBFS)) / np.float32(32767.0)
        mixes.append((resample(audio, RATE, SAMPLE_RATE), ends))
    return mixes


@dataclass
class Judged:
    activate_ends_ms: list


def real_speech_mixes(dev: Sources, negative_hours: float, seed: int = 0, one_room: bool = False,
                      talkers: bool = True) -> list:
    """judge()'s negatives: 10 s mixes of held-out real recordings of other words, 360 an hour,
    for judge(seed); one_room and talkers as event_mixes' (benchmarks/room_changes.py)."""
    real_only = Sources([], [], [], dev.real, dev.backgrounds, dev.tones)
    return event_mixes(real_only, max(1, int(round(negative_hours * 360))), seed + 1, False,
                       one_room=one_room, talkers=talkers)


def judge(detector, dev: Sources, n_positive: int, negative_hours: float, seed: int = 0) -> dict:
    """Recall on 10 s mixes of held-out voices; false alarms per hour on mixes of held-out real
    speech of other words (these choose the threshold: the lowest within FALSE_ALARM_BUDGET) and,
    reported beside them, on mixes of held-out synthesized hard negatives (words that share the
    word's sounds, which real rooms rarely hold)."""

    confusable = Sources([], dev.hard or dev.ordinary, [], [], dev.backgrounds, dev.tones)
    parts = {"positive": event_mixes(dev, n_positive, seed, True),
             "real": real_speech_mixes(dev, negative_hours, seed),
             "confusable": event_mixes(confusable, max(1, int(round(negative_hours * 120))), seed + 2, False)}
    rows = {}
    for name, mixes in parts.items():
        probabilities = [detector.clip_probabilities(a) for a, _ in mixes]
        rows[name] = evaluate.event_metrics(probabilities, [Judged(e) for _, e in mixes], THRESHOLDS,
                                   detector.refractory_steps)
    curve = [dict(threshold=a["threshold"], recall=a["recall"], hits=a["hits"], activates=a["activates"],
                  false_alarms=b["false_alarms"], false_alarms_per_hour=b["false_alarms_per_hour"],
                  confusable_false_alarms_per_hour=c["false_alarms_per_hour"],
                  false_alarms_in_positive_mixes=a["false_alarms"])
             for a, b, c in zip(rows["positive"], rows["real"], rows["confusable"])]
    within = [r for r in curve if r["false_alarms_per_hour"] <= FALSE_ALARM_BUDGET]
    chosen = min(within, key=lambda r: r["threshold"]) if within else curve[-1]
    return dict(curve=curve, chosen=chosen, positive_mixes=len(parts["positive"]),
                negative_mixes=len(parts["real"]), negative_hours=len(parts["real"]) * 10 / 3600,
                confusable_hours=len(parts["confusable"]) * 10 / 3600)


# the hidden set's people were missed on these (issue 15): held-out voices delivered so, to see
# whether a recipe hears them (augment.delivered; recall only, the threshold stays judge()'s)
HARD_DELIVERIES = {"drawn out ×1.8": dict(stretch=1.8), "vowels drawn out ×2.5": dict(vowel_rate=0.4),
                   "+10 semitones": dict(semitones=10.0), "at 0–5 dB": dict(snr_db=(0.0, 5.0)),
                   # not from the hidden set's notes: a clip made the course's way clips its loud words
                   "at −20 dBFS, clipped": dict(course_level=True),
                   # the hidden set's high voices were people's, not smaller ones: pitch up, formants kept
                   # (last: each delivery's mixes are seeded by its place here)
                   "+10 semitones, formants kept": dict(f0=10.0)}


def judge_deliveries(detector, dev: Sources, n_positive: int, thresholds, seed: int = 0) -> dict:
    """Recall of held-out voices in HARD_DELIVERIES at each of thresholds: the same takes as
    judge()'s, each delivered once so (no other augmentation), in 10 s mixes as judge()'s."""
    out = {}
    for k, (name, how) in enumerate(HARD_DELIVERIES.items()):
        rng = np.random.default_rng([seed, 91, k])
        words = [augment.delivered(c, how.get("stretch", 1.0), how.get("semitones", 0.0), how.get("vowel_rate"), rng,
                                   how.get("f0", 0.0), RATE) for c in dev.positives]
        src = Sources(words, dev.hard, dev.ordinary, dev.real, dev.backgrounds, dev.tones, augmented=True)
        mixes = event_mixes(src, n_positive, seed + 10 + k, True, how.get("snr_db", (5.0, 30.0)),
                            how.get("course_level", False))
        probabilities = [detector.clip_probabilities(a) for a, _ in mixes]
        rows = evaluate.event_metrics(probabilities, [Judged(e) for _, e in mixes], list(thresholds),
                                      detector.refractory_steps)
        out[name] = {f"{r['threshold']:g}": r["recall"] for r in rows}
    return out


def judge_deliveries_into(takes_dir, model_dir, exclude_real=(), event_mixes_n: int = 240, log=print) -> dict:
    """judge_deliveries for a trained folder at its threshold and 0.9, into its metrics.json."""
    model_dir = Path(model_dir)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    detector = spotter.load_detector(model_dir)  # the spotter or the embedding spotter
    real = real_speech(REAL_SPEECH_DIR, exclude_real)
    thresholds = sorted({float(detector.threshold), 0.9})
    got = judge_deliveries(detector, dev_sources(takes_dir, real, seed=metrics["seed"]), event_mixes_n, thresholds)
    for name, at in got.items():
        log(f"{name}: " + ", ".join(f"{pct(v)} at {t}" for t, v in at.items()))
    metrics["dev_deliveries"] = dict(threshold=float(detector.threshold), mixes=event_mixes_n, recall=got)
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    return metrics


# ----------------------------------------------------------------------------- training
def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (the chance a positive window outscores a negative one)."""
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = labels > 0.5
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def train(takes_dir, out_dir, run_dir, examples: int, epochs: int, seed: int = 0, minutes: float | None = None,
          exclude_real=(), batch_size: int = 128, learning_rate: float = 2e-3, dev_examples: int = 3000,
          event_mixes_n: int = 240, negative_hours: float = 3.0, n_backgrounds: int = 40, processes: int = 2,
          real_root=REAL_SPEECH_DIR, command: str = "", log=print, start_from=None, mine_weight: int = 0,
          average_last: int = 0, delivery: Delivery = DELIVERY, clipped: float = 0.0, chimeras: float = 0.0,
          babble_share: float = 0.0, tails: float = 0.0, front: str = LOG_MEL, joints: float = 0.0,
          talker_chance: float = TALKERS) -> dict:
    """Make the data, train, judge, save model + config + metrics.json to out_dir. Resumes from
    run_dir/checkpoint.weights.h5 (the data is remade from the same seeds). With average_last > 1
    the saved weights are the mean of the last average_last epochs' (load_average); clipped: the
    share of windows overdriven (make_window; 0: none); chimeras: the share of real other words
    made of pieces of real recordings (chimera; 0: none); babble_share: the share of windows over a
    babble made for the window (background; 0: none); tails: the share of the other windows over a
    looped real stretch of room beside a recorded word (background; 0: none); joints: the share of
    windows whose room changes abruptly partway (room_change; 0: none); talker_chance: the chance of
    distant talkers in a training window's room (background; the judge keeps TALKERS); front: LOG_MEL trains
    the spotter, SPEECH_EMBEDDING the embedding spotter's head on the frozen embedding (no SpecAugment)."""
    import keras

    started = time.time()
    run_dir, out_dir = Path(run_dir), Path(out_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    word = json.loads((Path(takes_dir) / takes.MANIFEST).read_text())["word"]
    real = real_speech(real_root, exclude_real)
    train_src = load_sources(takes_dir, "train", real.train, real.train_tones, n_backgrounds, seed, real.train_stretches)
    dev_src = dev_sources(takes_dir, real, n_backgrounds, seed)
    log(f"sources: train {train_src.info}; dev {dev_src.info}")
    t0 = time.time()
    train_src = augment_sources(train_src, seed, processes=processes, delivery=delivery)
    dev_windows_src = augment_sources(dev_src, seed + 1000, 4, 2, processes=processes, delivery=delivery)
    log(f"augmented deliveries: {len(train_src.positives)} positive, {len(train_src.hard) + len(train_src.ordinary)} "
        f"synthesized negative, {len(train_src.real)} real ({(time.time() - t0) / 60:.1f} min)")
    if start_from and mine_weight > 1:  # hard-negative mining with the starting model
        train_src, _ = with_mined(train_src, spotter.SpotterDetector.load(start_from), mine_weight, log)
    train_src = dataclasses.replace(train_src, clipped=clipped, chimeras=chimeras, babble=babble_share, tails=tails,
                                    front=front, joints=joints, talker_chance=talker_chance)
    dev_windows_src = dataclasses.replace(dev_windows_src, clipped=clipped, chimeras=chimeras, babble=babble_share,
                                          tails=tails, front=front, joints=joints, talker_chance=talker_chance)
    on_embeddings = front == SPEECH_EMBEDDING
    head = embedding_spotter if on_embeddings else spotter
    detector_class = embedding_spotter.EmbeddingSpotterDetector if on_embeddings else spotter.SpotterDetector
    x, y = make_dataset(train_src, examples, seed, processes)
    x_dev, y_dev = make_dataset(dev_windows_src, dev_examples, seed + 1000, processes)
    if on_embeddings:
        x, x_dev = embedded(x), embedded(x_dev)
    data_minutes = (time.time() - t0) / 60
    log(f"data: {len(x)} training windows ({y.mean():.1%} positive), {len(x_dev)} dev, {data_minutes:.1f} min")
    keras.utils.set_random_seed(seed)
    model = head.build_model()
    if start_from:
        model.load_weights(Path(start_from) / spotter.WEIGHTS)
    steps_per_epoch = int(math.ceil(len(x) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps_per_epoch, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="binary_crossentropy")
    progress_path, ckpt = run_dir / "progress.json", run_dir / "checkpoint.weights.h5"
    done_epochs, history = 0, []
    if progress_path.exists() and ckpt.exists():
        state = json.loads(progress_path.read_text())
        done_epochs, history = state["epoch"], state["history"]
        model.load_weights(ckpt)
        model.optimizer.iterations.assign(done_epochs * steps_per_epoch)
        log(f"resumed after epoch {done_epochs}")
    rng = np.random.default_rng([seed, 5])
    for epoch in range(done_epochs, epochs):
        if minutes is not None and (time.time() - started) / 60 > minutes:
            log(f"stopping after epoch {epoch} (--minutes {minutes:g}); the same command resumes")
            break
        t_epoch = time.time()
        order = rng.permutation(len(x))
        losses = []
        for first in range(0, len(order), batch_size):
            idx = np.sort(order[first:first + batch_size])
            batch = x[idx].astype(np.float32) if on_embeddings else spec_augment(x[idx], rng)
            losses.append(float(model.train_on_batch(batch, y[idx])))
        p_dev = detector_class(model).window_probabilities(x_dev.astype(np.float32))
        eps = 1e-7
        dev_loss = float(-np.mean(y_dev * np.log(p_dev + eps) + (1 - y_dev) * np.log(1 - p_dev + eps)))
        row = dict(epoch=epoch + 1, train_loss=round(float(np.mean(losses)), 4), dev_loss=round(dev_loss, 4),
                   dev_auc=round(auc(y_dev, p_dev), 4), seconds=round(time.time() - t_epoch, 1))
        history.append(row)
        log(f"epoch {row}")
        model.save_weights(ckpt)
        model.save_weights(epoch_weights(run_dir, epoch + 1))  # for average_last (1 MB each)
        progress_path.write_text(json.dumps(dict(epoch=epoch + 1, history=history)) + "\n")
    averaged = []
    if average_last > 1 and history:
        averaged = load_average(model, run_dir, len(history), average_last)
        log(f"weights: the average of epochs {averaged[0]}-{averaged[-1]}")
    detector = detector_class(model)
    judged = judge(detector, dev_src, event_mixes_n, negative_hours, seed=0)
    chosen = judged["chosen"]
    log_chosen(chosen, log)
    metrics = dict(word=word, command=command, takes=str(takes_dir), kind=head.KIND, seed=seed, examples=len(x), epochs=len(history),
                   epochs_asked=epochs, history=history, sources=dict(train=train_src.info, dev=dev_src.info),
                   real_heldout_words={w: real.held_words.count(w) for w in sorted(set(real.held_words))},
                   judged=judged, threshold=chosen["threshold"], params=int(model.count_params()),
                   data_minutes=round(data_minutes, 1), train_minutes=round((time.time() - started) / 60, 1),
                   machine=f"{platform.machine()} CPU ({platform.system()}), {os.cpu_count()} cores",
                   exclude_real=list(exclude_real), start_from=str(start_from) if start_from else None,
                   mine_weight=mine_weight, learning_rate=learning_rate, averaged_epochs=averaged,
                   delivery=dataclasses.asdict(delivery), clipped=clipped, chimeras=chimeras, babble=babble_share,
                   tails=tails, front=front, joints=joints, talker_chance=talker_chance)
    if on_embeddings:
        embedding_spotter.save(model, out_dir, threshold=float(chosen["threshold"]), word=word)
    else:
        spotter.save(model, out_dir, threshold=float(chosen["threshold"]), word=word, dropout=spotter.DROPOUT,
                     filters=list(spotter.FILTERS))
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    return metrics


def epoch_weights(run_dir, epoch: int) -> Path:
    """Where train() keeps the weights as they were after epoch (counted from 1)."""
    return Path(run_dir) / f"epoch_{epoch:02d}.weights.h5"


def load_average(model, run_dir, last_epoch: int, count: int) -> list[int]:
    """Set model's weights to the mean of epochs last_epoch-count+1 .. last_epoch (those kept in
    run_dir); return the epochs used. Late in a cosine schedule the epochs' weights lie in one
    basin, and their mean is usually a flatter, better-generalising point than the last (Izmailov
    et al., "Averaging weights leads to wider optima", 2018). BatchNorm's statistics are averaged
    too, as core.trigger.training.average does, rather than re-estimated."""
    epochs = [e for e in range(max(1, last_epoch - count + 1), last_epoch + 1) if epoch_weights(run_dir, e).exists()]
    if not epochs:
        raise FileNotFoundError(f"no epoch weights in {run_dir}")
    from core.trigger.training.average import mix_weights

    mean = None
    for k, e in enumerate(epochs, 1):  # a running mean: mean_k = (1 - 1/k) mean_(k-1) + w_k / k
        model.load_weights(epoch_weights(run_dir, e))
        weights = [np.asarray(w, np.float64) for w in model.get_weights()]
        mean = weights if mean is None else mix_weights(mean, weights, 1.0 / k)
    model.set_weights([w.astype(np.float32) for w in mean])
    return epochs


def average_into(model_dir, run_dir, count: int) -> list[int]:
    """Replace a trained spotter folder's weights by the mean of its run's last count epochs
    (the metrics.json's epochs), and say so in its metrics.json; rejudge it afterwards."""
    model_dir = Path(model_dir)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    model, _ = spotter.load(model_dir)
    epochs = load_average(model, run_dir, metrics["epochs"], count)
    model.save_weights(model_dir / spotter.WEIGHTS)
    metrics["averaged_epochs"] = epochs
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    return epochs


def make_ensemble(member_dirs, out_dir) -> dict:
    """One model folder from trained spotters, or from trained embedding spotters' heads
    (spotter.ensemble, embedding_spotter.ensemble: their answers averaged). Its metrics.json is
    the first member's, naming every member (each member's own is in its folder); judge it
    afterwards (rejudge) for its threshold."""
    member_dirs = [Path(d) for d in member_dirs]
    if len(member_dirs) < 2:
        raise ValueError("an ensemble needs two members or more")
    configs = [json.loads((d / spotter.CONFIG).read_text()) for d in member_dirs]
    kinds = {c.get("kind") for c in configs}
    if len(kinds) > 1:
        raise ValueError(f"the members are of different kinds: {sorted(map(str, kinds))}")
    embedded_heads = kinds == {embedding_spotter.KIND}
    module = embedding_spotter if embedded_heads else spotter
    first = configs[0]
    size = (dict(units=first.get("units", embedding_spotter.UNITS)) if embedded_heads
            else dict(filters=first.get("filters", list(spotter.FILTERS))))  # what must match, and is saved
    if any([c.get(k) for k in (*size, "word")] != [first.get(k) for k in (*size, "word")] for c in configs):
        raise ValueError("the members differ in size or word")
    if any(int(c.get("members", 1)) > 1 for c in configs):
        raise ValueError("a member is an ensemble already: name its members instead")
    model = module.ensemble([module.load(d)[0] for d in member_dirs])
    metrics = json.loads((member_dirs[0] / "metrics.json").read_text())
    members = [json.loads((d / "metrics.json").read_text()) for d in member_dirs]
    metrics.update(ensemble_of=[str(d) for d in member_dirs], params=int(model.count_params()),
                   member_seeds=[m.get("seed") for m in members])
    if all(m.get("command") for m in members):
        metrics["member_commands"] = [m["command"] for m in members]
    module.save(model, out_dir, threshold=float(first["threshold"]), word=first.get("word"),
                dropout=first.get("dropout", module.DROPOUT), members=len(member_dirs), **size)
    (Path(out_dir) / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    return metrics


def dev_sources(takes_dir, real: RealSpeech, n_backgrounds: int = 40, seed: int = 0) -> Sources:
    """The held-out voices, real recordings and room tones train() judges on."""
    return load_sources(takes_dir, "dev", real.held, real.held_tones, max(8, n_backgrounds // 4), seed + 1000,
                        real.held_stretches)


def rejudge(takes_dir, model_dir, exclude_real=(), event_mixes_n: int = 240, negative_hours: float = 3.0,
            log=print) -> dict:
    """Judge a trained spotter again as train() does (after a change to the judge or the chime
    rule: the model folder's chime rule becomes spotter.REFRACTORY_STEPS and CONFIRM_WINDOWS) and rewrite the threshold
    and chime rule in its config.json and the figures in its metrics.json; the weights stay."""
    model_dir = Path(model_dir)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    detector = spotter.load_detector(model_dir)  # the spotter or the embedding spotter
    detector.refractory_steps = spotter.REFRACTORY_STEPS
    detector.confirm_windows = spotter.CONFIRM_WINDOWS
    real = real_speech(REAL_SPEECH_DIR, exclude_real)
    judged = judge(detector, dev_sources(takes_dir, real, seed=metrics["seed"]), event_mixes_n, negative_hours, seed=0)
    log_chosen(judged["chosen"], log)
    metrics.update(judged=judged, threshold=judged["chosen"]["threshold"])
    config = dict(detector.config, threshold=float(judged["chosen"]["threshold"]),
                  refractory_steps=spotter.REFRACTORY_STEPS, confirm_windows=spotter.CONFIRM_WINDOWS)
    (model_dir / spotter.CONFIG).write_text(json.dumps(config, indent=1) + "\n")
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    return metrics


GOAL_FALSE_ALARMS = 1.0  # per hour on real speech: issue 15's goal


def pooled_threshold(report_paths, dev_curve: list, budget: float = GOAL_FALSE_ALARMS) -> dict:
    """The shipped default's rule: the lowest threshold at which the proxy words' held-out real
    other words, pooled (benchmarks/real_voice_proxy.py reports), and the word's own held-out real
    speech on dev (metrics' judged curve) each stay within budget false alarms an hour. Returns
    the threshold, the pooled and dev rates there, each proxy word's recall and rate there, and
    the pooled and dev rates at the next lower threshold (why it is not lower)."""
    reports = [json.loads(Path(p).read_text()) for p in report_paths]
    if not reports:
        raise ValueError("the rule needs proxy reports")
    dev = {float(r["threshold"]): r for r in dev_curve}
    curves = [{float(r["threshold"]): r for r in rep["judge"]["curve"]} for rep in reports]
    hours = sum(rep["judge"]["negative_hours"] for rep in reports)
    shared = sorted(set(dev).intersection(*curves))

    def rates(t):
        return (sum(c[t]["false_alarms"] for c in curves) / hours, dev[t]["false_alarms_per_hour"])

    within = [t for t in shared if max(rates(t)) <= budget]
    if not within:
        raise ValueError("no shared threshold keeps the budget")
    t = within[0]
    lower = [u for u in shared if u < t]
    pooled, on_dev = rates(t)
    return dict(threshold=t, pooled_false_alarms_per_hour=pooled, dev_false_alarms_per_hour=on_dev,
                pooled_hours=hours, dev_recall=dev[t]["recall"],
                words=[dict(word=rep["word"], recall=c[t]["recall"], false_alarms_per_hour=c[t]["false_alarms_per_hour"])
                       for rep, c in zip(reports, curves)],
                below=dict(zip(("threshold", "pooled_false_alarms_per_hour", "dev_false_alarms_per_hour"),
                               (lower[-1], *rates(lower[-1])))) if lower else None)


def rule_text(rule: dict, reports: list, dev_hours: float, dev_chosen: float) -> str:
    """The pooled rule and its figures in words, for the card (metrics' threshold_rule)."""
    t, below = rule["threshold"], rule["below"]
    words = [w["word"] for w in rule["words"]]
    members = sorted({int(rep.get("members") or 1) for rep in reports})
    text = (f"the lowest threshold at which the proxy words' {rule['pooled_hours']:.0f} h of held-out real other "
            f"words, pooled, and this word's own {dev_hours:.0f} h of held-out real speech on dev each stay within "
            f"{GOAL_FALSE_ALARMS:g} false alarm an hour")
    if below:
        text += (f" ({below['threshold']:g} rang dev {below['dev_false_alarms_per_hour']:.2f} times an hour; the "
                 f"proxy words {below['pooled_false_alarms_per_hour']:.2f})")
    text += "."
    if members == [2]:
        text += " The proxy words are judged as pairs of heads too (two seeds of the same recipe each, averaged)."
    text += (f" At {t:g} they hear " + ", ".join(pct(w["recall"]) for w in rule["words"][:-1])
             + f" and {pct(rule['words'][-1]['recall'])} of real people ({', '.join(words)}) with "
             f"{rule['pooled_false_alarms_per_hour']:.2f} false alarms an hour pooled. The dev judge's own rule "
             f"(within {FALSE_ALARM_BUDGET:g} an hour) gives "
             + ("the same" if dev_chosen == t else f"{dev_chosen:g}"))
    return text


def set_pooled_threshold(model_dir, report_paths, log=print) -> dict:
    """Make pooled_threshold the folder's default: its config's threshold, and in its metrics.json
    the threshold, the rule in words (threshold_rule) and the reports it read (threshold_reports,
    as given: paths from the project root keep the card's test able to check them)."""
    model_dir = Path(model_dir)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    config = json.loads((model_dir / spotter.CONFIG).read_text())
    reports = [json.loads(Path(p).read_text()) for p in report_paths]
    rule = pooled_threshold(report_paths, metrics["judged"]["curve"])
    text = rule_text(rule, reports, metrics["judged"]["negative_hours"], metrics["judged"]["chosen"]["threshold"])
    log(f"default {rule['threshold']:g}: {text}")
    metrics.update(threshold=rule["threshold"], threshold_rule=text, threshold_reports=[str(p) for p in report_paths])
    config["threshold"] = rule["threshold"]
    (model_dir / spotter.CONFIG).write_text(json.dumps(config, indent=1) + "\n")
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    return rule


def log_chosen(chosen: dict, log=print) -> None:
    log(f"dev events: threshold {chosen['threshold']}: recall {chosen['recall']:.3f}, "
        f"{chosen['false_alarms_per_hour']:.2f} false alarms/h on held-out real speech")


def pct(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def proxy_recipe(report: dict) -> str:
    """What a proxy row's model was: recipe, training windows, and its firing rule (or the
    report's own "label", where one was written beside it)."""
    if report.get("label"):
        return report["label"]
    if "spotter recipe" not in report["training"] and "examples" not in report:
        return "course"
    examples = report.get("examples")
    if examples is None:  # reports written before they said so: their training line does
        found = re.search(r"([\d,]+) augmented 2 s windows", report["training"])
        examples = int(found.group(1).replace(",", "")) if found else None
    confirm = report["judge"].get("confirm_windows", 1)
    size = f"{examples // 1000}k windows" if examples else "?"
    rule = f"{confirm} windows in a row" if confirm > 1 else "1 window"
    views = report["judge"].get("slow_views") or []
    pitch = report["judge"].get("pitch_views") or []
    name = "embedding spotter (frozen speech embedding + trained head)" \
        if report.get("front") == SPEECH_EMBEDDING else "spotter"
    excited = re.search(r"(\d+)% with the voice's pitch alone moved", report["training"])  # (Delivery.f0_share)
    seed = re.search(r"--seed (\d+)", report.get("command") or "")
    return (f"{name}, {size}, fires on {rule}" + (f", slow view {', '.join(f'{c:g}' for c in views)}×" if views else "")
            + (f", pitch view {', '.join(f'{v:+g}' for v in pitch)} semitones" if pitch else "")
            + (f", {report['chimeras']:.0%} real chimeras" if report.get("chimeras") else "")
            + (f", {report['babble']:.0%} fresh babble" if report.get("babble") else "")
            + (f", {report['tails']:.0%} looped real room stretches" if report.get("tails") else "")
            + (f", {report['joints']:.0%} rooms changing partway" if report.get("joints") else "")
            + (f", distant talkers in {report['talker_chance']:.0%} of rooms"
               if report.get("talker_chance", TALKERS) != TALKERS else "")
            + (f", {excited.group(1)}% excited voices" if excited else "")
            + (f", seed {seed.group(1)}" if seed and seed.group(1) != "0" else "")
            + (f", the mean of {report['members']} heads (seeds {', '.join(map(str, report.get('member_seeds') or []))})"
               if report.get("members") else "")
            + (", declipped" if report["judge"].get("declip") else ""))


PROXY_HEADER = ("| word | recipe | threshold | recall: real people | recall: synthesized | FA/h | real at 0.5 | "
                "real at 0.9 | within 1 distinct source/h |", "|---|---|---|---|---|---|---|---|---|")
DELIVERY_HEADER = ("| word | recipe | as recorded (30/20/10 dB) | drawn out ×1.8 | vowels drawn out ×2.5 | "
                   "+6 semitones | +10 semitones | at 5 dB | through a 60–4000 Hz microphone | "
                   "the mix 10 dB lower: nothing clipped |", "|---|---|---|---|---|---|---|---|---|---|")


def proxy_rows(report_paths) -> list[str]:
    """Markdown rows from benchmarks/real_voice_proxy.py reports (OUT/<word>/report.json)."""
    rows = []
    for path in report_paths:
        r = json.loads(Path(path).read_text())
        at = r["judge"]["at"]
        rows.append(f"| {r['word']} | {proxy_recipe(r)} | {at['chosen']['threshold']:g} | **{pct(at['chosen']['recall'])}** "
                    f"({at['chosen']['hits']}/{at['chosen']['activates']}) | {pct(at['chosen']['synthetic_recall'])} | "
                    f"{at['chosen']['false_alarms_per_hour']:.2f} | {pct(at['fixed 0.5']['recall'])} | "
                    f"{pct(at['fixed 0.9']['recall'])} | "
                    + (f"{pct(at['distinct']['recall'])} @{at['distinct']['threshold']:g}" if "distinct" in at else "–")
                    + " |")
    return rows


def delivery_text(delivery: dict | None) -> str:
    """The card's words for a run's Delivery (metrics.json's; the default's when absent)."""
    d = Delivery(**{k: tuple(v) if isinstance(v, list) else v for k, v in (delivery or {}).items()})
    text = f"tempo {d.slow[0]:g}–{d.fast[1]:g}"
    if d.vowel_share:
        text += f" ({d.vowel_share:.0%} of the slower ones vowels drawn out, rates {d.vowel_rates[0]:g}–{d.vowel_rates[1]:g})"
    text += f", pitch {d.pitch[0]:+g}…{d.pitch[1]:+g} semitones".replace("-", "−")
    if d.f0_share:
        text += (f", {d.f0_share:.0%} with the voice's pitch alone moved {d.f0[0]:+g}…{d.f0[1]:+g} semitones, "
                 "formants kept").replace("-", "−")
    return text


DELIVERY_KINDS = ("drawn out", "vowels drawn out", "high", "higher", "at 5 dB", "narrowband", "unclipped")
EXCITED = "excited"  # the proxy's "+10 semitones, formants kept": a column only where a report has it
EXCITED_HEADER = "+10 semitones, formants kept"


def with_excited(reports) -> bool:
    """Whether any of these (read) reports has the excited delivery: its column goes in every row."""
    return any(EXCITED in (r["judge"].get("deliveries") or {}) for r in reports)


def delivery_header(report_paths) -> tuple:
    """DELIVERY_HEADER for delivery_rows(report_paths): with the excited column after "+10 semitones"
    where a report has one."""
    if not with_excited([json.loads(Path(path).read_text()) for path in report_paths]):
        return DELIVERY_HEADER
    names = DELIVERY_HEADER[0].split(" | ")
    at = names.index("+10 semitones") + 1
    return (" | ".join(names[:at] + [EXCITED_HEADER] + names[at:]), DELIVERY_HEADER[1] + "---|")


def delivery_rows(report_paths, at: str = "chosen") -> list[str]:
    """Markdown rows of the proxy's --deliveries figures (reports that have them), at each
    report's named threshold at ("chosen", "fixed 0.9", "distinct")."""
    rows = []
    reports = [json.loads(Path(path).read_text()) for path in report_paths]
    kinds = DELIVERY_KINDS
    if with_excited(reports):  # after "higher" (+10 semitones), as delivery_header puts its column
        kinds = kinds[:kinds.index("higher") + 1] + (EXCITED,) + kinds[kinds.index("higher") + 1:]
    for r in reports:
        d = r["judge"].get("deliveries")
        if not d:
            continue
        cells = [pct(d[k].get(at)) if k in d else "–" for k in kinds]
        rows.append(f"| {r['word']} | {proxy_recipe(r)} | {pct(r['judge']['at'][at]['recall'])} | "
                    + " | ".join(cells) + " |")
    return rows


def model_card(metrics: dict, proxy_reports=(), config: dict | None = None) -> str:
    """The spotter's MODEL_CARD.md, from its metrics.json and config.json (its chime rule; the
    library's when not given) and the proxy's reports, if given."""
    config = config or {}
    refractory = config.get("refractory_steps", spotter.REFRACTORY_STEPS)
    confirm = config.get("confirm_windows", spotter.CONFIRM_WINDOWS)
    views = config.get("slow_views", spotter.SLOW_VIEWS)
    judged, chosen = metrics["judged"], metrics["judged"]["chosen"]
    src = metrics["sources"]
    last = metrics["history"][-1] if metrics["history"] else {}
    lines = [f"# The spotter (\"{metrics['word']}\"): model card", "",
             "The lab's log-mel trigger-word detector, built to hear people (issue 15; the default until the embedding "
             "spotter, `models/embedding_spotter/`, heard real people better). Every 0.1 s it reads the "
             "last 2 s of audio as 40 log-mel bands (16 kHz, 25 ms frames every 10 ms; `core/trigger/logmel.py`), "
             "takes each band's mean over the window away (level and microphone drop out), and a small "
             "convolutional network (a stem and three residual pairs of time convolutions, 200 → 25 frames, then "
             "a dense layer) answers one question: *did the word end in the last half second?* "
             f"{metrics['params']:,} parameters (`core/trigger/spotter.py`). The course's model stays on the "
             "course pages and is selectable beside it.", "",
             "## Data", "",
             f"`python -m core.trigger takes --out {metrics.get('takes', 'TAKES')} --word {metrics['word']} "
             f"--positives 500 --negatives 600 --seed 1` (about 8 minutes here for 1,100 takes, another takes job sharing the cores; Kokoro takes ~1 s a word).", "",
             f"Takes (`core/trigger/voicebank/takes.py`): {src['train']['positives']} training takes of the word by "
             f"{src['train']['voices']} voices of {', '.join(src['train']['engines'])}; "
             f"{src['train']['hard']} hard negatives (words that share its sounds, pieces of it), "
             f"{src['train']['ordinary']} ordinary words and phrases; {src['train']['real']} real recordings of "
             f"other words ({', '.join(k for k in metrics.get('real_heldout_words', {}))}; every 4th held out), "
             f"{src['train']['tones']} real room tones. Held out for dev: {src['dev']['positives']} takes by "
             f"{src['dev']['voices']} other voices ({', '.join(src['dev']['engines'])}), real recordings never "
             "trained on.",
             f"{metrics['examples']:,} training windows made once ({metrics['data_minutes']} min), each from its own "
             f"seed: {delivery_text(metrics.get('delivery'))}, vocal-tract length 0.85–1.2, breathy (whisper-like) 6%, "
             "reverb, microphone band limits, synthetic and real backgrounds and babble at 0–30 dB SNR "
             "(15% at −3…5 dB), random level; SpecAugment masks while training"
             + (f"; {metrics['chimeras']:.0%} of the real other words are chimeras, the start of one real recording "
                "joined to the end of another (`--chimeras`, `chimera`)" if metrics.get("chimeras") else "")
             + (f"; {metrics['babble']:.0%} of the windows over a babble of real recordings made for the window "
                "(`--babble`)" if metrics.get("babble") else "")
             + (f"; {metrics['tails']:.0%} of the other windows over a looped real stretch of room beside a recorded "
                "word: breath, the word's fading tail, clicks (`--tails`)" if metrics.get("tails") else "")
             + (f"; {metrics['joints']:.0%} of the windows over a room that changes abruptly partway (`--joints`)"
                if metrics.get("joints") else "")
             + (f"; distant talkers in {metrics['talker_chance']:.0%} of the windows' rooms (`--talkers`)"
                if metrics.get("talker_chance", TALKERS) != TALKERS else "") + ".", "",
             "## Training", "",
             f"`{metrics['command']}`", "",
             f"{metrics['epochs']} epochs (Adam, cosine learning rate 2e-3 → 1e-4, batch 128, binary cross-entropy), "
             f"{metrics['train_minutes']} min in all on {metrics['machine']}. Last epoch: training loss "
             f"{last.get('train_loss')}, dev loss {last.get('dev_loss')}, dev window AUC {last.get('dev_auc')}."
             + (f" The shipped weights are the mean of epochs {metrics['averaged_epochs'][0]}–"
                f"{metrics['averaged_epochs'][-1]} (`--average-last`)." if len(metrics.get("averaged_epochs") or []) > 1
                else ""), "",
             *history_table(metrics["history"])]
    lines += ["", "## Dev figures (held-out voices, held-out real speech)", "",
              f"{judged['positive_mixes']} 10 s mixes with 1–3 takes by held-out voices (augmented as in training, "
              f"5–30 dB SNR), {judged['negative_hours']:.2f} h of mixes of held-out real recordings of other words, "
              f"and {judged.get('confusable_hours', 0):.2f} h of held-out voices saying words that share its sounds. "
              "A detection within 0.25 s before to 1 s after the end of the word is a "
              "hit; at most one chime a second (below).", "",
              f"**Default threshold {chosen['threshold']:g}**: the lowest (most sensitive) whose false alarms stay "
              f"within {FALSE_ALARM_BUDGET:g} an hour on held-out real speech: recall on held-out synthesized voices "
              f"{pct(chosen['recall'])}, {chosen['false_alarms_per_hour']:.2f} false alarms an hour. Recall on "
              "synthesized voices is not the figure that matters (see below); false alarms on real speech are. "
              f"No second chime within {refractory} output steps ({refractory * STEP_SECONDS:.1f} s; the course's 75 "
              "let one word ring twice, because the spotter's answer stays high for half a second after the word)"
              + (f". It fires only when {confirm} windows in a row (0.1 s apart) pass the threshold."
                 if confirm > 1 else ".")
              + (f" Slow views ({', '.join(f'{c:g}×' for c in views)}): beside each window it hears the last "
                 f"{' / '.join(f'{2 * c:g}' for c in views)} s squeezed into 2 s, a drawn-out word played faster, and "
                 "answers with the more confident view, each confirmed on its own; the figures below are with them."
                 if views else ""), "",
              *dev_curve(judged)]
    hard = metrics.get("dev_deliveries")
    lines += dev_deliveries(hard)
    before = metrics.get("previous")  # the model(s) this one replaced, judged on the same takes
    befores = before if isinstance(before, list) else [before] if before else []
    if befores and hard:
        names = list(hard["recall"])
        lines += ["", f"Against the model{'s' if len(befores) > 1 else ''} it replaced "
                  f"({'; '.join(b['label'] for b in befores)}), judged on the same held-out takes and "
                  "real speech, each at its own threshold:", "",
                  "| model | threshold | recall (held-out voices) | false alarms / h: real speech | "
                  + " | ".join(names) + " |", "|---|---|---|---|" + "---|" * len(names)]
        for label, m in [(b["label"], b) for b in befores] + [("this model", dict(chosen=chosen, dev_deliveries=hard))]:
            t = f"{m['chosen']['threshold']:g}"
            lines.append(f"| {label} | {t} | {pct(m['chosen']['recall'])} | {m['chosen']['false_alarms_per_hour']:.2f} | "
                         + " | ".join(pct(m["dev_deliveries"]["recall"].get(n, {}).get(t)) for n in names) + " |")
    rows = proxy_rows(proxy_reports)
    if rows:
        lines += ["", "## Does the recipe hear people? The real-voice proxy", "",
                  "`benchmarks/real_voice_proxy.py` trains a recipe for another word with synthesized positives only "
                  "and judges it on real people saying that word (never trained on), mixed at 30/20/10 dB over "
                  "synthetic backgrounds and real room tone, with false alarms on 2 h of held-out real other words. "
                  "Recall at the best threshold within 1 false alarm an hour:", "", *PROXY_HEADER,
                  "| computer | course's model, transferred (395 steps; measured in an earlier session) | 0.25 | "
                  "49.0% (604/1233) | 84.6% | 1.0 | 41.0% | – | – |"] + rows + [
                  "", "The spotter's recipe hears people far better than the course's (4–6 points below held-out "
                  "synthesized voices at 0.9 in its first runs, where the course's recipe was 35–50 below). Firing "
                  "only on 3 windows in a row silences many false alarms.", "",
                  "**What decides \"within 1 false alarm an hour\" is mostly one spot.** Each of the 219 held-out "
                  "recordings is heard in about 8 of the 720 negative mixes and each of the 16 background loops in "
                  "about 45, so one source that rings costs many false alarms. The proxy now traces each false alarm "
                  "to the recording that ended just before it or to a second of a background loop. For both seed-0 "
                  "\"jarvis\" runs of the latest session, 16–17 of the 19–24 false alarms at 0.9 came from the same "
                  "second of one babble loop (babble #10 at 5–6 s). That one spot alone pushes their \"within 1 false "
                  "alarm an hour\" thresholds to 0.99–0.999. Earlier sessions read the 8–9 false alarms an hour that "
                  "every model showed at 0.9 as the recipe confusing real words. They were most likely this spot, "
                  "though those runs' mixes were not traced. The last column counts each distinct source once: the "
                  "best recall within 1 distinct source an hour (2 in the 2 h). It and recall at 0.9 compare recipes "
                  "more fairly than the first figure does.", "",
                  "**Seeds matter a lot.** The same recipe, takes and judged audio gave \"jarvis\" 82.1% (seed 0, an "
                  "earlier session) and 51.2% (seed 1) within 1 false alarm an hour, and 85.1% and 73.4% at 0.9. "
                  "Averaging the last four epochs' weights (`--average-last 4`) helped seed 1 (62.1%) and hurt "
                  "\"computer\" (85.2% → 82.1%). An ensemble of two seeds did not help (63.4%).", "",
                  "**Slower and higher deliveries (this model's recipe: tempo 0.45–1.3, pitch −3…+10).** These are "
                  "\"jarvis\" runs with seed 0, against the plain recipe, with the same seed, takes and judged audio. "
                  "Within 1 distinct false-alarm source an hour, the recordings as made scored 79.9% against "
                  "81.2%, and 81.3% against 88.5% at 0.9. The hard deliveries gained a lot:\n"
                  "- drawn out ×1.8: 77.3% against 44.0%;\n"
                  "- vowels drawn out: 61.5% against 29.4%;\n"
                  "- +10 semitones: 77.1% against 65.6%;\n"
                  "- at 5 dB: 84.4% against 82.6%.\n\n"
                  "Higher deliveries alone (pitch −3…+10, seed 0) did worse: 73.4% as made and 49.7% drawn out. "
                  "The gain comes from the slower deliveries. "
                  "An earlier seed-1 pair showed the same trade. The hidden set's people were missed mostly in "
                  "such deliveries, so this recipe ships.", "",
                  "**Slow views (first shipped with v4: the same weights, one more view).** Beside each 2 s window the "
                  "detector hears the last 3 s squeezed into 2 s (a drawn-out word played 1.5× faster) and answers "
                  "with the more confident view. Judged on a seed-0 \"jarvis\" model of this recipe trained again "
                  "(the rows marked *the same model*), at thresholds with equal false alarms on the real other words "
                  "(19 in 2 h: 0.9 without the view, 0.96 with it, the thresholds the dev judge chose for v4 "
                  "without and with it): the recordings as made 84.0% against 83.5%, drawn out ×1.8 86.7% against "
                  "79.4%, vowels drawn out 72.4% against 64.8%, +6 semitones 90.4% against 89.8%, +10 semitones "
                  "78.4% both, at 5 dB 88.3% against 87.8%. Within 1 false alarm an hour: 71.4% against 63.1%. "
                  "A seed-1 model of the same recipe (quieter on the real other words, deafer to people) gained more: "
                  "within 1 false alarm an hour 75.2% against 58.1%, and at the same pair of thresholds 69.5% "
                  "against 58.1% as recorded, though 74.5% against 77.3% drawn out. "
                  "On v4's own dev judge (synthesized held-out voices) the view gained little and cost "
                  "some: 88.1% against 90.1% at the same 0.67 false alarms an hour, drawn out 92.6% against 91.5%, "
                  "and at 0–5 dB 66.6% against 72.2%. It ships because real people, not synthesized voices, are "
                  "the test, and on real recordings at 5 dB it lost nothing. "
                  "Views of 1.3× and 1.8× did no better overall; asking 5 windows in a row of the view cost real "
                  "recall. The price: a second pass of the network (1.6–1.8× the time per clip in two runs) and more "
                  "sound-alike false alarms at the same threshold, which is why v4's threshold rose to 0.96. The goal, "
                  "90% of real people within 1 false alarm an hour, is not shown reached on the proxy: this "
                  "recipe (50k windows, seed 0) hears 87.4% of real \"computer\", 88.3% of \"alexa\" and "
                  "71.4% of \"jarvis\" (75.2% on seed 1) within it.",
                  "",
                  "**Clipping.** The proxy's judged mixes are set to −20 dBFS as the course's clips are, which clips "
                  "the loudest word in nearly every mix (99.6% of 250 counted). The same real recordings in mixes "
                  "10 dB lower, where nothing clips, are heard far more often: 84.1% against 69.8% at 20 dB (seed 0, "
                  "threshold 0.995) and 85.2% against 74.7% (seed 1, 0.91). Held-out synthesized voices lose nothing "
                  "to clipping (dev: 89.6% clipped against 88.1%), and a 60–4000 Hz microphone costs real people "
                  "little (66.9% and 80.2%). Training with 40% of the windows overdriven narrowed the gap but heard "
                  "clean people less and was behind within 1 false alarm an hour on both seeds; the \"activate\" "
                  "model trained so was not better on dev (89.0% at 0.97, 88.0% clipped, 85.5% drawn out), so it "
                  "was not shipped. Judged at equal false alarms, though, the gap mostly closes: with the negative "
                  "mixes 10 dB lower too, each side at its own threshold within 1 false alarm an hour, real people "
                  "at 20 dB are heard 74.0% unclipped against 69.8% clipped (seed 0) and 73.4% against 74.7% "
                  "(seed 1), because unclipped audio makes the detector surer of other words as well. Rebuilding "
                  "the clipped runs before the detector (`core.trigger.declip`, a config's \"declip\") does the "
                  "same: more of everything heard, nothing gained at equal false alarms (70.6% against 71.4% and "
                  "74.4% against 75.2% within 1 false alarm an hour); it is not switched on (README, \"Clipping\").",
                  "",
                  "**Real chimeras** (`--chimeras 0.5`: half of the real other words in the training windows made "
                  "afresh from the start of one real recording and the end of another). On \"jarvis\", two seeds, "
                  "the same takes and judged audio: more people heard at every threshold (3.7–7.4 points from 0.9 to "
                  "0.995) and within 1 distinct false-alarm source an hour (88.8% against 80.4%, 78.0% against "
                  "75.2%); within 1 false alarm an hour 81.5% against 71.4% (seed 0) but 68.4% against 75.2% "
                  "(seed 1, which rang on the babble spot). On \"computer\" (seed 0) the opposite: 3–10 points fewer "
                  "people at every threshold, 83.6% against 87.4% within 1 false alarm an hour, though 81.7% against "
                  "74.6% at the recipe's own dev threshold (the way a shipped threshold is picked). Mixed evidence. "
                  + ("This model's recipe uses them." if metrics.get("chimeras") else "This model was trained without them.")
                  + " A pitch view (the window's spectrum moved 4 semitones down, a third pass) heard people "
                  "pitched +10 semitones 5–8 points better and the recordings as made no better, and rang more: "
                  "not used.",
                  "",
                  "**Fresh babble** (`--babble 0.25`: a quarter of the windows over a babble of 4–12 real recordings "
                  "made for that window; the 40 background loops hold only about six babbles). On \"jarvis\", two seeds, "
                  "the same takes and judged audio, within 1 false alarm an hour: alone 81.6% and 77.6% against 71.4% "
                  "and 75.2% for v4's recipe; together with real chimeras 78.4% and 83.7%, against 81.5% and 68.4% for "
                  "chimeras alone. With both, the mean of the two seeds (81.1%) and the worse seed (78.4%) are the best "
                  "of the four recipes, and real people over babble backgrounds (a busy room, where the hidden set's "
                  "recall halved) are heard 74.8% and 80.6% of the time (v4's recipe: 61.2% and 68.3%; chimeras "
                  "alone: 72.7% and 52.5%). Seed 0's figure is held at 0.99 by one second of one babble loop (16 of "
                  "its 17 false alarms at 0.9); within 1 distinct source an hour it hears 89.3%, at 0.9. On all three "
                  "words, two seeds each, against v4's recipe: jarvis 78.4% and 83.7% (71.4%, 75.2%), alexa 93.4% and "
                  "95.2% (88.3%, 85.1%), computer 73.2% and 58.4% (87.4%, 51.1%); more people in 5 of the 6 runs, "
                  "80.4% against 76.4% on average, and more over babble in the same 5. \"alexa\" passes the goal on "
                  "both seeds. \"computer\" is held down by one background, a looped 1.3 s piece of a real recording "
                  "after its word (a fading schwa and a click, like the end of \"computer\"), on which every "
                  "\"computer\" model rings and the chimeras-and-babble ones up to 0.97. "
                  + (("This model's recipe uses it" + (", with chimeras. " if metrics.get("chimeras") else ". "))
                     if metrics.get("babble") else "This model was trained without it. ")
                  + dev_verdict(metrics),
                  "",
                  "**Looped room stretches** (`--tails 0.25`: a quarter of the windows not over babble sit over a "
                  "looped real stretch of room beside a recorded word, breath, the word's fading tail and clicks, as "
                  "the proxy's judge makes its room tones, from the training recordings). Aimed at that room tone; "
                  "seed 0, the same takes and judged audio, against v7's recipe run twice (the second run, this "
                  "machine, shows how far a rerun moves): \"jarvis\" 87.0% within 1 false alarm an hour (78.4%, "
                  "72.7%), 92.1% at 0.9; \"computer\" 45.5% (73.2%, 73.2%), still ringing on the same room tone "
                  "(26 false alarms at 0.98). One large gain, one large loss, both set by single background spots: "
                  + ("this model's recipe uses it." if metrics.get("tails") else "not adopted.")]
    lines += delivery_tables(proxy_reports, "The same real recordings delivered as the hidden set's people missed "
                             "most (`--deliveries`: each recording once more, processed, at 20 dB but the one at 5 dB), "
                             "recall ", ("at each row's chosen threshold (within 1 false alarm an hour)",
                                         "at 0.9, the same threshold for every row (fairer: see above)"))
    lines += ["", "## Limits", "",
              "No real person saying \"activate\" was available to train or test on: its real-voice figures are "
              "the proxy's, for other words. English only, one word. Noise below 5 dB SNR and words that share most "
              "of its sounds remain the hardest cases. The dev threshold is chosen on held-out real speech of other "
              "words; a room much noisier than those recordings will ring more often.", ""]
    return "\n".join(lines)


def delivery_tables(proxy_reports, intro: str, words: tuple) -> list[str]:
    """The card's two tables of the proxy's hard deliveries: at each report's chosen threshold and at
    0.9 (intro + words[k] + ":" heads each)."""
    lines = []
    for at, said in zip(("chosen", "fixed 0.9"), words):
        rows = delivery_rows(proxy_reports, at)
        if rows:
            lines += ["", f"{intro}{said}:", "", *delivery_header(proxy_reports), *rows]
    return lines


def history_table(history: list) -> list[str]:
    """The card's table of losses and dev AUC per epoch."""
    return ["| epoch | training loss | dev loss | dev AUC (windows) |", "|---|---|---|---|"] + [
        f"| {h['epoch']} | {h['train_loss']} | {h['dev_loss']} | {h['dev_auc']} |" for h in history]


def dev_curve(judged: dict) -> list[str]:
    """The card's table of dev recall and false alarms at every judged threshold."""
    return ["| threshold | recall (held-out voices) | false alarms / h: real speech | false alarms / h: "
            "sound-alike words |", "|---|---|---|---|"] + [
        f"| {r['threshold']:g} | {pct(r['recall'])} | {r['false_alarms_per_hour']:.2f} | "
        f"{r.get('confusable_false_alarms_per_hour', float('nan')):.1f} |" for r in judged["curve"]]


def dev_deliveries(hard: dict | None) -> list[str]:
    """The card's paragraph and table of held-out voices in hard deliveries (--judge-deliveries), if judged."""
    if not hard:
        return []
    at = [t for t in next(iter(hard["recall"].values()))]
    return (["", f"Held-out voices delivered as the hidden set's people were missed (`--judge-deliveries`: each "
             f"take once so, no other change, {hard['mixes']} 10 s mixes each at 5–30 dB unless named):", "",
             "| delivery | " + " | ".join(f"recall at {t}" for t in at) + " |", "|---|" + "---|" * len(at)]
            + [f"| {name} | " + " | ".join(pct(r[t]) for t in at) + " |" for name, r in hard["recall"].items()])


def dev_verdict(metrics: dict) -> str:
    """The card's words on this model against the model it replaced, on dev (the same held-out takes
    and real speech)."""
    chosen = metrics["judged"]["chosen"]
    text = f"On dev it hears {pct(chosen['recall'])} of held-out voices at {chosen['threshold']:g}"
    previous = metrics.get("previous")  # a list, newest first (older metrics: one dict)
    before = previous[0] if isinstance(previous, list) and previous else None
    if before:
        b = before["chosen"]
        fa, fa_before = chosen.get("false_alarms_per_hour"), b.get("false_alarms_per_hour")
        alarms = ("at the same false alarms on real speech" if fa == fa_before else
                  f"with {fa:.2f} false alarms an hour on real speech against {fa_before:.2f}")
        text += (f", against {pct(b['recall'])} at {b['threshold']:g} for {before['label'].split(' (')[0]} (the table "
                 f"above has the deliveries), {alarms}; at its threshold "
                 f"sound-alike words ring {chosen.get('confusable_false_alarms_per_hour', float('nan')):g} times an "
                 f"hour against {b.get('confusable_false_alarms_per_hour', float('nan')):g}")
    return text + "."


def write_card(model_dir, proxy_reports=()) -> None:
    metrics = json.loads((Path(model_dir) / "metrics.json").read_text())
    config_path = Path(model_dir) / spotter.CONFIG
    config = json.loads(config_path.read_text()) if config_path.exists() else None
    if metrics.get("kind") == embedding_spotter.KIND:
        from core.trigger.training import embedding_card

        card = embedding_card.model_card(metrics, proxy_reports, config)
    else:
        card = model_card(metrics, proxy_reports, config)
    (Path(model_dir) / "MODEL_CARD.md").write_text(card)


def rates(text: str) -> tuple:
    low, high = (float(v) for v in text.split(","))
    if not 0 < low <= high:
        raise argparse.ArgumentTypeError(f"want LOW,HIGH with 0 < LOW <= HIGH, got {text!r}")
    return (low, high)


def semitones(text: str) -> tuple:
    low, high = (float(v) for v in text.split(","))
    if not -12 <= low <= high <= 12:
        raise argparse.ArgumentTypeError(f"want LOW,HIGH semitones within -12..12, got {text!r}")
    return (low, high)


def add_delivery_arguments(p: argparse.ArgumentParser) -> None:
    """The Delivery flags (this script's and the real-voice proxy's)."""
    p.add_argument("--slow-rates", type=rates, default=DELIVERY.slow,
                   help=f"time-stretch rates of slower deliveries, LOW,HIGH (default {DELIVERY.slow[0]:g},{DELIVERY.slow[1]:g})")
    p.add_argument("--vowel-share", type=float, default=DELIVERY.vowel_share,
                   help="of the slower deliveries, the share drawn out vowels first (augment.drawn_out)")
    p.add_argument("--vowel-rates", type=rates, default=DELIVERY.vowel_rates,
                   help=f"their vowels' rates, LOW,HIGH (default {DELIVERY.vowel_rates[0]:g},{DELIVERY.vowel_rates[1]:g})")
    p.add_argument("--pitch", type=semitones, default=DELIVERY.pitch,
                   help=f"semitones of pitched deliveries, LOW,HIGH (default {DELIVERY.pitch[0]:g},{DELIVERY.pitch[1]:g}; "
                        "write --pitch=-3,10: a value that starts with - needs the =)")
    p.add_argument("--f0-share", type=float, default=DELIVERY.f0_share,
                   help="the share of deliveries whose voice's pitch alone moves, formants kept (augment.change_f0)")
    p.add_argument("--f0", type=semitones, default=DELIVERY.f0,
                   help=f"their semitones, LOW,HIGH (default {DELIVERY.f0[0]:g},{DELIVERY.f0[1]:g})")


def delivery_of(args) -> Delivery:
    return Delivery(slow=tuple(args.slow_rates), fast=DELIVERY.fast, vowel_share=args.vowel_share,
                    vowel_rates=tuple(args.vowel_rates), pitch=tuple(args.pitch), f0_share=args.f0_share,
                    f0=tuple(args.f0))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.trigger.training.spotter", description=__doc__.splitlines()[0])
    p.add_argument("--takes", required=True, help="a takes folder (python -m core.trigger takes)")
    p.add_argument("--out", default="runs/spotter/model", help="model folder to write")
    p.add_argument("--run-dir", default=None, help="checkpoints (default OUT/../run-NAME)")
    p.add_argument("--examples", type=int, default=DEFAULTS["examples"])
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    p.add_argument("--minutes", type=float, default=None, help="stop after this many minutes; resume later")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--exclude-real", nargs="*", default=[], help="real-speech folders never to use (a proxy word)")
    p.add_argument("--negative-hours", type=float, default=DEFAULTS["negative_hours"])
    p.add_argument("--event-mixes", type=int, default=DEFAULTS["event_mixes"])
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--start-from", default=None, help="a trained spotter folder to continue from")
    p.add_argument("--mine-weight", type=int, default=0,
                   help="with --start-from: draw the negatives it fires on this many times as often")
    p.add_argument("--learning-rate", type=float, default=DEFAULTS["learning_rate"])
    p.add_argument("--proxy-report", nargs="*", default=[],
                   help="real_voice_proxy.py report.json files whose rows go into the model card")
    p.add_argument("--card-only", action="store_true", help="rewrite MODEL_CARD.md of --out from its metrics.json")
    p.add_argument("--judge-only", action="store_true",
                   help="judge the trained model in --out again (dev figures and threshold), no training")
    p.add_argument("--average-last", type=int, default=0,
                   help="save the mean of the last N epochs' weights (kept in the run folder); with "
                        "--judge-only, replace --out's weights by that mean first, then judge")
    p.add_argument("--clipped", type=float, default=0.0,
                   help="the share of training windows overdriven: peaks set 0-10 dB past full scale and clipped "
                        "(default 0: none)")
    p.add_argument("--chimeras", type=float, default=0.0,
                   help="the share of real other words made of pieces of two real recordings (chimera; default 0)")
    p.add_argument("--babble", type=float, default=0.0,
                   help="the share of windows over a babble of real recordings made for the window (default 0)")
    p.add_argument("--tails", type=float, default=0.0,
                   help="the share of the other windows over a looped real stretch of room beside a recorded word: "
                        "breath, a word's tail, clicks (roomtone.quiet_stretch; default 0)")
    p.add_argument("--joints", type=float, default=0.0,
                   help="the share of windows whose room changes abruptly partway: a second background from a random "
                        "point, butted, at a level within 6 dB (room_change; default 0)")
    p.add_argument("--talkers", type=float, default=TALKERS,
                   help=f"the chance of distant talkers (quiet real recordings of other words under the room) in a "
                        f"training window; the judge keeps {TALKERS:g} (default {TALKERS:g})")
    p.add_argument("--front", choices=FRONTS, default=LOG_MEL,
                   help="log_mel: train the spotter; speech_embedding: the embedding spotter's head on the frozen "
                        "speech embedding (core.trigger.speech_embedding)")
    p.add_argument("--judge-deliveries", action="store_true",
                   help="judge the trained model in --out on held-out voices drawn out, pitched up and in loud "
                        "rooms (HARD_DELIVERIES) into its metrics.json and card, no training")
    p.add_argument("--pooled-threshold", nargs="+", default=None, metavar="REPORT",
                   help="set --out's default threshold by the pooled rule over these proxy report.json files "
                        "and its own dev curve (pooled_threshold), then rewrite its card (no training)")
    p.add_argument("--ensemble", nargs="+", default=None, metavar="MODEL",
                   help="make --out an ensemble of these trained spotter folders, then judge it (no training)")
    add_delivery_arguments(p)
    args = p.parse_args(argv)
    run_dir = args.run_dir or str(Path(args.out).parent / f"run-{Path(args.out).name}")
    if args.ensemble:
        make_ensemble(args.ensemble, args.out)
        args.judge_only = True
    if args.judge_only:
        if args.average_last > 1:
            average_into(args.out, run_dir, args.average_last)
        rejudge(args.takes, args.out, tuple(args.exclude_real), args.event_mixes, args.negative_hours)
        write_card(args.out, args.proxy_report)
        return 0
    if args.pooled_threshold:
        set_pooled_threshold(args.out, args.pooled_threshold)
        write_card(args.out, args.proxy_report)
        return 0
    if args.judge_deliveries:
        judge_deliveries_into(args.takes, args.out, tuple(args.exclude_real), args.event_mixes)
        write_card(args.out, args.proxy_report)
        return 0
    if args.card_only:
        write_card(args.out, args.proxy_report)
        return 0
    command = "python -m core.trigger.training.spotter " + shlex.join(sys.argv[1:] if argv is None else argv)
    train(args.takes, args.out, run_dir, args.examples, args.epochs, args.seed, args.minutes, tuple(args.exclude_real),
          event_mixes_n=args.event_mixes, negative_hours=args.negative_hours, processes=args.processes,
          command=command, start_from=args.start_from, mine_weight=args.mine_weight,
          learning_rate=args.learning_rate, average_last=args.average_last, delivery=delivery_of(args),
          clipped=args.clipped, chimeras=args.chimeras, babble_share=args.babble, tails=args.tails, front=args.front,
          joints=args.joints, talker_chance=args.talkers)
    write_card(args.out, args.proxy_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
