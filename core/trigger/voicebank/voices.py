"""Offline English text-to-speech voices that may be redistributed, behind one small API.

Engines (each used only where it is installed):
- "espeakng-loader": the PyPI package ships libespeak-ng and its data; called through ctypes,
  so a pip-only machine can still make a bank.
- "espeak-ng": Debian's espeak-ng command (apt-get install espeak-ng).
- "flite": Debian's flite with its built-in voices kal, kal16, awb, rms, slt.
- "festival": Debian's festival with the free kal, ked and slt-hts voices.
For espeak-ng a voice is an English accent plus a voice variant ("en-gb-scotland+f3").
MBROLA voices (espeak's mb-*) are never used: their licence forbids commercial use.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.trigger.audio import read_wav

ESPEAK_ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                  "en-gb-x-rp", "en-029", "en-us-nyc")  # not en-Shaw: that is a script, not an accent
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")  # not awb_time: it only says the time
FESTIVAL_VOICES = {"kal": "kal_diphone", "ked": "ked_diphone", "slt-hts": "cmu_us_slt_arctic_hts"}
LIBRARY_ALIASES = {"en-gb": "en"}
ENGINES = ("espeakng-loader", "espeak-ng", "flite", "festival")
TIMEOUT_S = 30


class SynthesisError(RuntimeError):
    """A voice failed to say something (missing engine, bad voice name, engine error)."""


@dataclass(frozen=True)
class Voice:
    engine: str
    name: str  # what the engine calls it: "en-us+f3", "slt", "kal"

    @property
    def id(self) -> str:
        """Unique across engines; the manifest and the train/dev split use it."""
        return f"{self.engine}:{self.name}"


# --- espeak-ng through ctypes (the espeakng-loader package) ---------------------------------

class _EspeakLibrary:
    """libespeak-ng in this process; its state is global, so one synthesis at a time."""

    AUDIO_OUTPUT_SYNCHRONOUS = 2
    POS_CHARACTER = 1
    CHARS_UTF8 = 1
    RATE, PITCH = 1, 3

    def __init__(self):
        import espeakng_loader

        self.data_path = Path(espeakng_loader.get_data_path())
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        # the path is the folder that *contains* espeak-ng-data
        self.rate = self.lib.espeak_Initialize(self.AUDIO_OUTPUT_SYNCHRONOUS, 0,
                                               str(self.data_path.parent).encode(), 0)
        if self.rate <= 0:
            raise SynthesisError("libespeak-ng from espeakng-loader did not initialise")
        self._chunks: list = []
        callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
        self._callback = callback_type(self._collect)  # keep a reference: C holds only a pointer
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()

    def _collect(self, wav, n, events):
        if wav and n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    def variants(self) -> list[str]:
        return sorted(p.name for p in (self.data_path / "voices" / "!v").iterdir() if p.is_file())

    def select(self, voice: str) -> bool:
        """Set the voice; 1.52 names British English "en", where the command also takes "en-gb"."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) == 0:
            return True
        accent, _, variant = voice.partition("+")
        alias = LIBRARY_ALIASES.get(accent)
        return alias is not None and self.lib.espeak_SetVoiceByName((f"{alias}+{variant}" if variant else alias).encode()) == 0

    def say(self, voice: str, text: str, speed: int, pitch: int) -> tuple[np.ndarray, int]:
        with self.lock:
            if not self.select(voice):
                raise SynthesisError(f"espeakng-loader has no voice {voice!r}")
            self.lib.espeak_SetParameter(self.RATE, int(speed), 0)
            self.lib.espeak_SetParameter(self.PITCH, int(pitch), 0)
            self._chunks = []
            encoded = text.encode("utf-8")
            if self.lib.espeak_Synth(encoded, len(encoded) + 1, 0, self.POS_CHARACTER, 0, self.CHARS_UTF8, None, None):
                raise SynthesisError(f"espeak_Synth failed for {voice!r}")
            self.lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return samples.astype(np.float32) / 32768.0, self.rate


@lru_cache(maxsize=1)
def _espeak_library() -> _EspeakLibrary | None:
    try:
        return _EspeakLibrary()
    except (ImportError, OSError, RuntimeError, AttributeError):
        return None


# --- discovering voices ---------------------------------------------------------------------

def _espeak_cli_variants() -> list[str]:
    try:
        listing = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True,
                                 timeout=TIMEOUT_S, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.split()[4].split("/", 1)[1] for line in listing.splitlines()[1:]
                  if len(line.split()) >= 5 and line.split()[4].startswith("!v/"))


def _festival_voice_installed(internal: str) -> bool:
    return any(Path("/usr/share/festival/voices").glob(f"*/{internal}"))


def engine_voices(engine: str) -> list[Voice]:
    """Every voice an engine offers on this machine ([] when the engine is not installed)."""
    if engine == "espeakng-loader":
        library = _espeak_library()
        variants = library.variants() if library else []
        names = [accent for accent in ESPEAK_ACCENTS if library] + [f"{a}+{v}" for a in ESPEAK_ACCENTS for v in variants]
        if library:
            with library.lock:
                names = [name for name in names if library.select(name)]
            library.say(ESPEAK_ACCENTS[0], "a", 160, 50)  # the first synthesis after this loop comes out cut short
    elif engine == "espeak-ng":
        installed = shutil.which("espeak-ng") is not None
        names = [a for a in ESPEAK_ACCENTS if installed] + [f"{a}+{v}" for a in ESPEAK_ACCENTS for v in _espeak_cli_variants()]
    elif engine == "flite":
        names = list(FLITE_VOICES) if shutil.which("flite") else []
    elif engine == "festival":
        names = [short for short, internal in FESTIVAL_VOICES.items()
                 if shutil.which("text2wave") and _festival_voice_installed(internal)]
    else:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    return [Voice(engine, name) for name in names]


def available_voices(engines=ENGINES) -> list[Voice]:
    return [voice for engine in engines for voice in engine_voices(engine)]


# --- speaking -------------------------------------------------------------------------------

def _run(command: list[str], stdin: str | None = None) -> bytes:
    try:
        done = subprocess.run(command, input=stdin.encode() if stdin is not None else None,
                              capture_output=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as err:
        raise SynthesisError(f"{command[0]} failed: {err}") from None
    if done.returncode != 0:
        raise SynthesisError(f"{command[0]} failed: {done.stderr.decode(errors='replace').strip()[:200]}")
    return done.stdout


def _with_output_file(command_for) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out.wav")
        command, stdin = command_for(path)
        _run(command, stdin)
        return Path(path).read_bytes()


def synthesize(voice: Voice, text: str, speed: int = 160, pitch: int = 50) -> tuple[np.ndarray, int]:
    """Say text → (float32 mono samples, the engine's sample rate). speed (words/min) and
    pitch (0–99) apply to espeak voices only; the others speak as they were recorded."""
    if voice.engine == "espeakng-loader":
        library = _espeak_library()
        if library is None:
            raise SynthesisError("the espeakng-loader package is not installed")
        samples, rate = library.say(voice.name, text, speed, pitch)
    else:
        if voice.engine == "espeak-ng":
            data = _run(["espeak-ng", "-v", voice.name, "-s", str(speed), "-p", str(pitch), "--stdout", text])
        elif voice.engine == "flite":
            data = _with_output_file(lambda path: (["flite", "-voice", voice.name, "-t", text, "-o", path], None))
        elif voice.engine == "festival":
            internal = FESTIVAL_VOICES[voice.name]
            data = _with_output_file(lambda path: (["text2wave", "-eval", f"(voice_{internal})", "-o", path], text))
        else:
            raise SynthesisError(f"unknown engine {voice.engine!r}")
        frames, rate = read_wav(data)
        samples = frames[:, 0]
    if len(samples) == 0 or not np.any(samples):
        raise SynthesisError(f"{voice.id} produced silence for {text!r}")
    return samples, rate
