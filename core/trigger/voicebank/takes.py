"""Takes: one word list said by every offline voice here, classic and neural, in many deliveries.

The spotter's recipe (core.trigger.training.spotter) learns from these. Unlike bank.build_bank
(the course model's bank), it also draws the neural voices (core.trigger.voicebank.neural:
Kokoro speakers mixed from style vectors, Piper's joe, hibari's heart), which sound far more
like people than espeak, and it asks every engine for varied deliveries: slow and drawn-out,
fast, stressed or excited ("activate!"), questioning, high and low pitch. Clips are stored
at 16 kHz (what the spotter hears), trimmed, at CLIP_DBFS.

    python -m core.trigger takes --out runs/spotter/takes --positives 700 --negatives 900
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from core.trigger.audio import resample, write_wav, read_any
from core.trigger.voicebank.bank import CLIP_DBFS, NEGATIVES, ORDINARY, TRIGGER, _slug, at_dbfs, trim_silence, voice_split

RATE = 16000
MANIFEST = "takes.json"
# Shares of the takes by engine family (a family missing here gives its share to the rest).
# Neural voices get a third: they are the closest to people, but Kokoro takes ~1 s a word here.
SHARES = {"kokoro": 0.22, "espeak": 0.42, "piper": 0.12, "hibari": 0.12, "flite": 0.06, "festival": 0.06}
KOKORO_MIXED = 60  # new Kokoro speakers (mix-0 .. mix-59)
NEURAL_DEV = frozenset({"kokoro:jm_kumo"} | {f"kokoro:mix-{i}" for i in range(50, KOKORO_MIXED)})
NEURAL_SPEED = (0.6, 1.35)  # < 1: slow, drawn out (real people drew "activate" out to 2.4 s)
ESPEAK_SPEED = (80, 230)  # words per minute
ESPEAK_PITCH = (15, 99)
# Stressed, excited and questioning deliveries: TTS prosody follows punctuation.
POSITIVE_FORMS = ("{w}", "{w}", "{w}!", "{w}.", "{w}?", "{w}!!", "ok {w}", "hey, {w}")  # the word ends the take
# Syllable fragments of a word and words that share them are made by FRAGMENTS(word).
ACTIVATE_HARD = ("activist", "captivate", "motivate", "activity", "active", "actively", "cultivate",
                 "activation", "act", "acting", "activ", "acti", "tivate", "vate", "vacate", "captive",
                 "relative", "native", "octave", "activator")


def family(engine: str) -> str:
    return "espeak" if engine in ("espeak-ng", "espeakng-loader") else engine


def split_of(voice_id: str) -> str:
    """'dev' for held-out speakers: bank.voice_split's for the classic voices, NEURAL_DEV for neural."""
    if voice_id.split(":", 1)[0] in ("kokoro", "piper", "hibari"):
        return "dev" if voice_id in NEURAL_DEV else "train"
    return voice_split(voice_id)


def all_voices(engines=None) -> list:
    """Every classic (voices.Voice) and neural (neural.NeuralVoice) voice this machine can use."""
    from core.trigger.voicebank import neural, voices

    out = list(voices.available_voices())
    try:
        out += neural.available_voices(mixed=KOKORO_MIXED)
    except Exception:  # noqa: BLE001 - a broken optional engine must not stop the classic ones
        pass
    if engines:
        out = [v for v in out if family(v.engine) in engines or v.engine in engines]
    return out


def say(voice, text: str, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """(samples at RATE, trimmed, at CLIP_DBFS; delivery) for one take in a random delivery."""
    from core.trigger.voicebank import neural, voices

    if family(voice.engine) in ("kokoro", "piper", "hibari"):
        speed = float(rng.uniform(*NEURAL_SPEED))
        samples, rate = neural.synthesize(text, voice, speed=speed), neural.SAMPLE_RATE
        delivery = {"speed": round(speed, 3)}
    else:
        speed, pitch = int(rng.integers(*ESPEAK_SPEED)), int(rng.integers(*ESPEAK_PITCH))
        samples, rate = voices.synthesize(voice, text, speed=speed, pitch=pitch)
        delivery = {"speed": speed, "pitch": pitch} if family(voice.engine) == "espeak" else {}
    clip = at_dbfs(resample(trim_silence(np.asarray(samples, np.float32), rate), rate, RATE), CLIP_DBFS)
    return clip, delivery


def hard_negatives(word: str) -> tuple:
    """Words that share sounds with the word, and pieces of it (the confusions that fire)."""
    if word == TRIGGER:
        return ACTIVATE_HARD
    n = len(word)
    pieces = {word[: n // 2], word[: (2 * n) // 3], word[n // 3:], word[n // 2:]}
    return tuple(sorted(p for p in pieces if len(p) >= 2))


def build_takes(out_dir, word: str = TRIGGER, n_positives: int = 700, n_negatives: int = 900, seed: int = 1,
                negative_words=None, voices=None, progress=None, hard_share: float = 0.5) -> dict:
    """Synthesize takes into out_dir (wav at 16 kHz) and write takes.json; resumes a half-made one.

    Negatives: hard_share of them from hard_negatives(word) and negative_words' first items
    (the confusables), the rest from negative_words (ordinary words and phrases).
    """
    from core.trigger.voicebank.neural import NeuralTTSError
    from core.trigger.voicebank.voices import SynthesisError

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / MANIFEST
    manifest = json.loads(path.read_text()) if path.exists() else {"word": word, "seed": seed, "clips": [],
                                                                    "failures": []}
    if manifest.get("done"):
        return manifest
    voices = list(voices) if voices is not None else all_voices()
    if not voices:
        raise ValueError("no voices: install espeak-ng/flite/festival (apt) or espeakng-loader (pip)")
    by_family = {}
    for v in voices:
        by_family.setdefault(family(v.engine), []).append(v)
    families = [f for f in SHARES if f in by_family] + sorted(set(by_family) - set(SHARES))
    weights = np.array([SHARES.get(f, 0.05) for f in families])
    weights /= weights.sum()
    negative_words = tuple(negative_words if negative_words is not None else NEGATIVES)
    hard = tuple(dict.fromkeys(hard_negatives(word) + tuple(w for w in negative_words if w not in ORDINARY)))
    hard = tuple(w for w in hard if w != word)
    ordinary = tuple(w for w in negative_words if w not in hard and w != word)
    rng = np.random.default_rng(seed)
    jobs = [("positive", rng.choice(POSITIVE_FORMS).format(w=word)) for _ in range(n_positives)]
    jobs += [("negative", str(rng.choice(hard if (rng.random() < hard_share or not ordinary) else ordinary)))
             for _ in range(n_negatives)]
    started = time.time()
    for i, (kind, text) in enumerate(jobs):
        job_rng = np.random.default_rng([seed, i])
        if i < len(manifest["clips"]):
            continue
        for _attempt in range(10):
            fam = families[int(job_rng.choice(len(families), p=weights))]
            voice = by_family[fam][int(job_rng.integers(len(by_family[fam])))]
            try:
                clip, delivery = say(voice, text, job_rng)
                if len(clip) < RATE // 20:
                    raise SynthesisError("shorter than 50 ms")
                break
            except (SynthesisError, NeuralTTSError, ValueError, RuntimeError) as err:
                manifest["failures"].append({"voice": voice.id, "text": text, "error": str(err)[:200]})
        else:
            raise RuntimeError(f"ten voices in a row failed to say {text!r}")
        name = f"{kind}s/{i:04d}_{_slug(text)[:24]}_{_slug(voice.id)[:40]}.wav"
        (out / name).parent.mkdir(exist_ok=True)
        write_wav(out / name, clip, RATE)
        manifest["clips"].append({"file": name, "kind": kind, "text": text, "voice_id": voice.id,
                                  "engine": voice.engine, "split": split_of(voice.id),
                                  "ms": int(len(clip) * 1000 // RATE), **delivery})
        if progress:
            progress(1)
        if i % 50 == 0:
            path.write_text(json.dumps(manifest, indent=1) + "\n")
    manifest["done"] = True
    manifest["seconds"] = round(time.time() - started, 1)
    path.write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def load_takes(folder, split: str | None = None, kind: str | None = None) -> tuple[list, list]:
    """(clips as float32 at RATE, manifest rows) of a takes folder, filtered by split and kind."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    rows = [r for r in manifest["clips"] if (split is None or r["split"] == split)
            and (kind is None or r["kind"] == kind)]
    return [read_any(folder / r["file"], RATE) for r in rows], rows
