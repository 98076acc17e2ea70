"""The voice bank: the bundled one, the split, building one from TTS, and the command."""
import importlib.util
import json
import shutil

import numpy as np
import pytest

from core.trigger.voicebank import voices
from core.trigger.__main__ import main
from core.trigger.audio import SAMPLE_RATE, AudioError
from core.trigger.voicebank.bank import (
    BUNDLED_DIR, CONFUSABLES, DEV_ACCENTS, REAL_SPEECH_DIR, TRIGGER, build_bank, load_bank,
    load_bundled_bank, real_negatives, speaker_of, split_bank, trim_silence, voice_split,
)


def test_bundled_bank_is_complete_and_small():
    manifest = json.loads((BUNDLED_DIR / "manifest.json").read_text())
    kinds = [row["kind"] for row in manifest["clips"]]
    assert kinds.count("activate") >= 20 and kinds.count("negative") >= 20
    assert len(manifest["backgrounds"]) >= 4 and manifest["chime"]
    for row in manifest["clips"]:
        assert (BUNDLED_DIR / row["file"]).is_file() and row["engine"] in voices.ENGINES
        assert row["split"] == voice_split(row["voice_id"])
        assert (row["text"] == TRIGGER) == (row["kind"] == "activate")
    assert {"train", "dev"} <= {row["split"] for row in manifest["clips"]}
    assert sum(p.stat().st_size for p in BUNDLED_DIR.rglob("*") if p.is_file()) < 20e6


def test_load_bundled_bank():
    bank = load_bundled_bank()
    assert len(bank.activates) == len(bank.activate_info) >= 20 and len(bank.backgrounds) >= 4
    for clip in bank.activates + bank.negatives:
        assert clip.dtype == np.float32 and 0.2 * SAMPLE_RATE < len(clip) < 3 * SAMPLE_RATE
    assert all(len(b) == 10 * SAMPLE_RATE for b in bank.backgrounds) and bank.chime is not None
    train, dev = split_bank(bank)
    assert len(train.activates) + len(dev.activates) == len(bank.activates)
    assert {r["split"] for r in dev.activate_info + dev.negative_info} == {"dev"}
    assert not {r["speaker"] for r in train.activate_info} & {r["speaker"] for r in dev.activate_info}


def test_split_holds_out_whole_speakers_and_accents():
    assert speaker_of("flite:kal16") == speaker_of("festival:kal") == "kal"
    assert speaker_of("espeak-ng:en-us+f4") == speaker_of("espeakng-loader:en-gb+f4") == "espeak+f4"
    assert voice_split("espeak-ng:en-us+f4") == voice_split("espeakng-loader:en-gb-x-rp+f4") == "dev"
    assert voice_split("festival:ked") == "dev" and voice_split("flite:slt") == "train"
    assert all(voice_split(f"espeak-ng:{accent}+m1") == "dev" for accent in DEV_ACCENTS)
    assert voice_split("espeak-ng:en-us+m1") == "train"


def test_load_bank_refuses_a_missing_folder(tmp_path):
    with pytest.raises(AudioError, match="no readable voice bank"):
        load_bank(tmp_path)


def test_trim_silence():
    x = np.zeros(16000, np.float32)
    x[4000:8000] = 0.5
    trimmed = trim_silence(x, 16000, pad_ms=20)
    assert 4000 <= len(trimmed) <= 4000 + 2 * 320 + 320


def test_confusables_are_there():
    assert {"active", "activity", "captivate", "a cat", "acti", "vate"} <= set(CONFUSABLES)


def test_build_bank_with_a_fake_engine(tmp_path, monkeypatch):
    """A fake engine says a tone as long as the text, so build_bank is tested without TTS."""
    def fake_synthesize(voice, text, speed=160, pitch=50):
        if voice.name == "broken":
            raise voices.SynthesisError("broken voice")
        t = np.arange(int(0.1 * len(text) * 16000)) / 16000
        samples = np.concatenate([np.zeros(1600), 0.3 * np.sin(2 * np.pi * 300 * t), np.zeros(1600)])
        return samples.astype(np.float32), 16000

    monkeypatch.setattr(voices, "synthesize", fake_synthesize)
    fake = [voices.Voice("flite", "kal"), voices.Voice("flite", "broken"), voices.Voice("festival", "ked")]
    manifest = build_bank(tmp_path, fake, n_activates=4, n_negatives=3, n_backgrounds=2, seed=1)
    assert [r["kind"] for r in manifest["clips"]] == ["activate"] * 4 + ["negative"] * 3
    assert all(r["voice"] != "broken" for r in manifest["clips"]) and manifest["failures"]
    assert {r["engine"] for r in manifest["clips"]} == {"flite", "festival"}
    bank = load_bank(tmp_path)
    assert len(bank.activates) == 4 and len(bank.backgrounds) == 2
    # trimmed: the tone alone (0.8 s for "activate") plus the 20 ms pads, no leading silence
    assert abs(len(bank.activates[0]) / SAMPLE_RATE - 0.84) < 0.03
    assert len(load_bank(tmp_path, split="dev").activates) == sum(r["engine"] == "festival" for r in bank.activate_info)


loader = pytest.mark.skipif(not voices.engine_voices("espeakng-loader"), reason="pip install espeakng-loader")


@loader
def test_espeakng_loader_speaks_every_accent():
    for accent in voices.ESPEAK_ACCENTS:
        samples, rate = voices.synthesize(voices.Voice("espeakng-loader", accent + "+f3"), "activate")
        assert rate == 22050 and 0.3 < len(samples) / rate < 2.0
    with pytest.raises(voices.SynthesisError):
        voices.synthesize(voices.Voice("espeakng-loader", "xx-nowhere"), "activate")


@loader
def test_no_mbrola_and_a_bank_from_pip_only(tmp_path, capsys):
    found = voices.engine_voices("espeakng-loader")
    assert len(found) >= 8 * 50 and not any("mb-" in v.name or "mbrola" in v.name for v in found)
    assert main(["bank", "--out", str(tmp_path), "--engines", "espeakng-loader",
                 "--activates", "3", "--negatives", "2", "--backgrounds", "1"]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest["clips"]) == 5 and {r["engine"] for r in manifest["clips"]} == {"espeakng-loader"}
    assert "wrote 5 clips" in capsys.readouterr().out


@pytest.mark.parametrize("engine", ["espeak-ng", "flite", "festival"])
def test_debian_engines_when_installed(engine):
    found = voices.engine_voices(engine)
    if not found:
        pytest.skip(f"{engine} is not installed (apt-get install {engine})")
    samples, rate = voices.synthesize(found[0], "activate")
    assert 8000 <= rate <= 48000 and 0.3 < len(samples) / rate < 3.0


def test_voices_command_and_bad_engine(capsys):
    assert main(["voices"]) == 0
    out = capsys.readouterr().out
    assert all(engine in out for engine in voices.ENGINES)
    with pytest.raises(SystemExit):
        main(["bank", "--out", "x", "--engines", "sam"])


@pytest.mark.skipif(not REAL_SPEECH_DIR.is_dir(), reason="no shared/data/real_speech here")
def test_real_negatives_are_read_in_place():
    if importlib.util.find_spec("soundfile") is None:
        assert real_negatives(per_word=1) == [] or shutil.which("ffmpeg")
        pytest.skip("soundfile is not installed; FLAC is optional")
    clips = real_negatives(per_word=1)
    assert len(clips) >= 10 and all(c.dtype == np.float32 and len(c) > 1000 for c in clips)
