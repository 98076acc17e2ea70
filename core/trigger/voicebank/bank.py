"""The voice bank: "activate" and negative clips said by many TTS voices, plus backgrounds.

build_bank writes WAV files and a manifest.json that records, for every clip, the text and
the engine and voice that said it, and whether it belongs to the training or the dev split
(voice_split: whole speakers are held out, so dev measures new voices, not new takes).
load_bank reads a bank back as float32 arrays at 44.1 kHz; load_bundled_bank reads the
small bank shipped in assets/trigger/, so the app needs no TTS at all.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.trigger.audio import SAMPLE_RATE, AudioError, read_any, read_audio, resample, write_wav
from core.trigger.voicebank.backgrounds import KINDS, make_background

ROOT = Path(__file__).resolve().parents[3]
BUNDLED_DIR = ROOT / "assets" / "trigger"
REAL_SPEECH_DIR = Path(os.environ.get("TRIGGER_REAL_SPEECH", ROOT.parent / "shared" / "data" / "real_speech"))
MANIFEST = "manifest.json"
BANK_RATE = 22050  # clips are stored at this rate (TTS rarely goes higher) and resampled on load
TRIGGER = "activate"
CONFUSABLES = ("active", "activity", "actor", "captivate", "motivate", "cavity", "vacate", "a cat",
               "actually", "activist", "acti", "vate")  # sound like parts of "activate"
ORDINARY = ("hello", "weather", "tomorrow", "kitchen", "please", "seven", "yellow", "banana",
            "window", "coffee", "good morning", "turn on the light", "what time is it",
            "open the door", "thank you very much", "tell me a story", "see you later", "play some music")
NEGATIVES = CONFUSABLES + ORDINARY
ESPEAK_SPEED = (130, 200)  # words per minute, drawn per clip
ESPEAK_PITCH = (25, 75)
CLIP_DBFS = -20.0  # every clip is stored at this loudness; augmentation varies it later
DEV_SPEAKERS = frozenset({"ked", "awb", "espeak+f4", "espeak+m3", "espeak+klatt3", "espeak+Alicia",
                          "espeak+steph2", "espeak+robert"})
DEV_ACCENTS = frozenset({"en-029"})  # Caribbean English is never trained on
SPEAKERS = {"flite:kal": "kal", "flite:kal16": "kal", "festival:kal": "kal", "flite:slt": "slt",
            "festival:slt-hts": "slt", "flite:awb": "awb", "flite:rms": "rms", "festival:ked": "ked"}


def speaker_of(voice_id: str) -> str:
    """The person behind a voice: flite's and festival's kal are one; an espeak variant is one
    speaker whatever the accent or engine ("espeak+f3")."""
    engine, name = voice_id.split(":", 1)
    if engine in ("espeak-ng", "espeakng-loader"):
        return "espeak+" + (name.split("+", 1)[1] if "+" in name else "default")
    return SPEAKERS.get(voice_id, voice_id)


def voice_split(voice_id: str) -> str:
    """'dev' for held-out speakers (DEV_SPEAKERS) and accents (DEV_ACCENTS), else 'train'.

    A fixed list, not a random draw, so every bank built anywhere splits the same way.
    """
    engine, name = voice_id.split(":", 1)
    accent = name.split("+", 1)[0] if engine in ("espeak-ng", "espeakng-loader") else None
    return "dev" if speaker_of(voice_id) in DEV_SPEAKERS or accent in DEV_ACCENTS else "train"


def trim_silence(samples: np.ndarray, rate: int, floor_db: float = -40.0, pad_ms: float = 20.0) -> np.ndarray:
    """Cut leading and trailing silence (10 ms frames quieter than peak + floor_db).

    The label y starts right after a clip ends, so the end of the clip must be the end
    of the word, not TTS padding.
    """
    hop = max(1, rate // 100)
    n = len(samples) // hop
    if n == 0:
        return samples
    energy = np.sqrt(np.mean(samples[:n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1)) + 1e-10
    loud = np.flatnonzero(20 * np.log10(energy / energy.max()) > floor_db)
    pad = int(pad_ms * rate / 1000)
    start = max(0, loud[0] * hop - pad)
    stop = min(len(samples), (loud[-1] + 1) * hop + pad)
    return samples[start:stop]


def at_dbfs(samples: np.ndarray, level: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return np.clip(samples * (10 ** (level / 20) / rms if rms else 1.0), -1, 1).astype(np.float32)


def make_chime(sample_rate: int = BANK_RATE) -> np.ndarray:
    """The sound played where the model hears "activate" (the course's chime.wav): two bell notes."""
    t = np.arange(int(0.6 * sample_rate)) / sample_rate
    out = np.zeros(len(t))
    for start, f in ((0.0, 1318.5), (0.12, 1760.0)):  # E6 then A6
        s = t[t >= start] - start
        bell = sum(a * np.sin(2 * np.pi * f * k * s) for k, a in ((1, 1.0), (2.76, 0.3), (5.4, 0.1)))
        out[t >= start] += bell * np.exp(-s * 7.0)
    return (0.5 * out / np.abs(out).max()).astype(np.float32)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- building -------------------------------------------------------------------------------

class _VoicePicker:
    """Round-robin over engines, and within an engine over its voices in a random order,
    so a small bank still holds every engine and no voice twice before all have spoken."""

    def __init__(self, voices, rng):
        self.rng = rng
        self.by_engine = {}
        for voice in voices:
            self.by_engine.setdefault(voice.engine, []).append(voice)
        self.queues = {engine: [] for engine in self.by_engine}
        self.turn = 0

    def next(self):
        engines = sorted(self.by_engine)
        engine = engines[self.turn % len(engines)]
        self.turn += 1
        if not self.queues[engine]:
            order = self.rng.permutation(len(self.by_engine[engine]))
            self.queues[engine] = [self.by_engine[engine][i] for i in order]
        return self.queues[engine].pop()


def build_bank(out_dir, voices, n_activates: int = 20, n_negatives: int = 20, n_backgrounds: int = 4,
               seed: int = 0, sample_rate: int = BANK_RATE, progress=None, command: str = "",
               trigger: str = TRIGGER, negative_words=NEGATIVES) -> dict:
    """Synthesize a bank into out_dir and write its manifest; returns the manifest.

    progress(n) is called once per file written (the command passes a tqdm bar's update).
    A voice that fails is skipped (and noted in the manifest) and the next one is tried.
    trigger / negative_words: what the positive clips and the negatives say (a bank for
    another word, e.g. benchmarks/real_voice_proxy.py); positives keep the folder
    "activates" and kind "activate", so training reads any bank alike.
    """
    from core.trigger.voicebank.voices import SynthesisError, synthesize

    if not voices:
        raise ValueError("no voices: install espeakng-loader (pip) or espeak-ng/flite/festival (apt)")
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    for folder in ("activates", "negatives", "backgrounds"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    picker = _VoicePicker(voices, rng)
    words = [negative_words[i] for i in rng.permutation(len(negative_words))]
    jobs = [("activate", trigger, i) for i in range(n_activates)]
    jobs += [("negative", words[i % len(words)], i) for i in range(n_negatives)]
    clips, failures, babble_clips = [], [], []
    for kind, text, i in jobs:
        for _attempt in range(10):
            voice = picker.next()
            speed, pitch = int(rng.integers(*ESPEAK_SPEED)), int(rng.integers(*ESPEAK_PITCH))
            try:
                samples, rate = synthesize(voice, text, speed=speed, pitch=pitch)
                break
            except SynthesisError as err:
                failures.append({"voice": voice.id, "text": text, "error": str(err)})
        else:
            raise RuntimeError(f"ten voices in a row failed to say {text!r}: {failures[-1]['error']}")
        clip = at_dbfs(resample(trim_silence(samples, rate), rate, sample_rate), CLIP_DBFS)
        folder = "activates" if kind == "activate" else "negatives"
        name = f"{folder}/{i:03d}_{_slug(text)}_{_slug(voice.id)}.wav"
        write_wav(out / name, clip, sample_rate)
        if kind == "negative":
            babble_clips.append((clip, sample_rate))
        is_espeak = voice.engine in ("espeak-ng", "espeakng-loader")
        clips.append({"file": name, "kind": kind, "text": text, "engine": voice.engine, "voice": voice.name,
                      "voice_id": voice.id, "speaker": speaker_of(voice.id), "split": voice_split(voice.id),
                      "speed": speed if is_espeak else None, "pitch": pitch if is_espeak else None,
                      "ms": int(len(clip) * 1000 // sample_rate)})
        if progress:
            progress(1)
    backgrounds = []
    kinds = [KINDS[i] for i in rng.permutation(len(KINDS))]
    for i in range(n_backgrounds):
        kind = kinds[i % len(kinds)]
        level = float(rng.uniform(-35.0, -20.0))
        audio = make_background(kind, rng, level, sample_rate=sample_rate, clips=babble_clips)
        name = f"backgrounds/{i:02d}_{_slug(kind)}.wav"
        write_wav(out / name, audio, sample_rate)
        backgrounds.append({"file": name, "kind": kind, "level_dbfs": round(level, 1)})
        if progress:
            progress(1)
    write_wav(out / "chime.wav", make_chime(sample_rate), sample_rate)
    manifest = {"version": 1, "made_by": command or "core.trigger.voicebank.bank.build_bank", "seed": seed,
                "sample_rate": sample_rate, "clips": clips, "backgrounds": backgrounds, "chime": "chime.wav",
                "voices_offered": {engine: sum(v.engine == engine for v in voices)
                                   for engine in sorted({v.engine for v in voices})},
                "failures": failures}
    if trigger != TRIGGER:
        manifest["trigger"] = trigger
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


# --- loading --------------------------------------------------------------------------------

@dataclass
class Bank:
    """Clips as float32 arrays at 44.1 kHz, with their manifest rows (same order)."""

    activates: list = field(default_factory=list)
    negatives: list = field(default_factory=list)
    backgrounds: list = field(default_factory=list)
    activate_info: list = field(default_factory=list)
    negative_info: list = field(default_factory=list)
    background_info: list = field(default_factory=list)
    chime: np.ndarray | None = None
    root: Path | None = None


def load_bank(root=BUNDLED_DIR, split: str | None = None, sample_rate: int = SAMPLE_RATE) -> Bank:
    """Read a bank built by build_bank; split='train' or 'dev' keeps that split's clips only."""
    root = Path(root)
    try:
        manifest = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError) as err:
        raise AudioError(f"no readable voice bank in {root}: {err}") from None
    bank = Bank(root=root)
    for row in manifest["clips"]:
        if split is not None and row["split"] != split:
            continue
        clip = read_audio(root / row["file"], sample_rate)
        if row["kind"] == "activate":
            bank.activates.append(clip)
            bank.activate_info.append(row)
        else:
            bank.negatives.append(clip)
            bank.negative_info.append(row)
    for row in manifest["backgrounds"]:
        bank.backgrounds.append(read_audio(root / row["file"], sample_rate))
        bank.background_info.append(row)
    if manifest.get("chime"):
        bank.chime = read_audio(root / manifest["chime"], sample_rate)
    return bank


def no_bank_message(folder) -> str | None:
    """None when `folder` holds a bank; else, in plain words, how to build one there."""
    if Path(folder, MANIFEST).exists():
        return None
    return f"no voice bank in {folder}: build one with python -m core.trigger bank --out {folder}"


def load_bundled_bank() -> Bank:
    """The small bank in assets/trigger/ (all splits): what the app shows."""
    return load_bank(BUNDLED_DIR)


def split_bank(bank: Bank) -> tuple[Bank, Bank]:
    """(train, dev) halves of a loaded bank by each clip's voice_split; backgrounds go to both."""
    halves = []
    for split in ("train", "dev"):
        keep_a = [i for i, row in enumerate(bank.activate_info) if row["split"] == split]
        keep_n = [i for i, row in enumerate(bank.negative_info) if row["split"] == split]
        halves.append(Bank([bank.activates[i] for i in keep_a], [bank.negatives[i] for i in keep_n],
                           bank.backgrounds, [bank.activate_info[i] for i in keep_a],
                           [bank.negative_info[i] for i in keep_n], bank.background_info, bank.chime, bank.root))
    return halves[0], halves[1]


REAL_DEV_EVERY = 4  # every 4th real recording (over all folders, in file order) is held out for dev


def real_files(root=REAL_SPEECH_DIR) -> list[tuple[str, Path, bool]]:
    """(folder name, path, held out?) for every real recording, in the order real_negatives reads
    them; held out = every REAL_DEV_EVERY-th of the whole list: the split every trigger-word
    model was trained with (train.split_real_negatives over real_negatives' clips; every file
    there is readable), the spotter's recipe and the real-voice proxy."""
    out, k = [], 0
    for folder in sorted(p for p in Path(root).glob("*/*") if p.is_dir()):
        for path in sorted(folder.glob("*.flac")) + sorted(folder.glob("*.wav")):
            out.append((folder.name, path, k % REAL_DEV_EVERY == REAL_DEV_EVERY - 1))
            k += 1
    return out


def real_negatives(root=REAL_SPEECH_DIR, per_word: int | None = None, max_ms: int = 4000,
                   sample_rate: int = SAMPLE_RATE) -> list[np.ndarray]:
    """Real recorded words that are not "activate" (shared/data/real_speech), read in place.

    FLAC needs the optional soundfile package (or pydub with ffmpeg); without either, or
    without the folder, this returns [] and training uses TTS negatives only.
    """
    root = Path(root)
    clips = []
    for folder in sorted(p for p in root.glob("*/*") if p.is_dir()):
        files = sorted(folder.glob("*.flac")) + sorted(folder.glob("*.wav"))
        for path in files[:per_word]:
            try:
                clip = trim_silence(read_any(path, sample_rate), sample_rate)
            except AudioError:
                if not clips and path == files[0]:
                    return []  # no FLAC reader here at all
                continue
            clips.append(clip[:int(max_ms * sample_rate / 1000)])
    return clips
