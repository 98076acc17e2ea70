"""Takes for the spotter: every engine family drawn, the voice split kept, a half-made folder resumed."""
import json

import numpy as np
import pytest

from core.trigger.voicebank import takes
from core.trigger.voicebank.voices import available_voices


def fast_voices():
    voices = [v for v in available_voices(("espeakng-loader",)) if v.name in ("en-us", "en-029", "en-gb+m3")]
    if len(voices) < 2:
        pytest.skip("espeakng-loader voices are missing")
    return voices


def test_takes_are_written_at_16_khz_with_their_split_and_delivery(tmp_path):
    manifest = takes.build_takes(tmp_path, "activate", 4, 4, seed=3, voices=fast_voices())
    assert manifest["done"] and len(manifest["clips"]) == 8
    rows = manifest["clips"]
    assert [r["kind"] for r in rows] == ["positive"] * 4 + ["negative"] * 4
    assert all(r["text"].rstrip("!.?").endswith("activate") for r in rows[:4])  # the word ends every positive take
    assert all("activate" not in r["text"] or r["text"] in takes.ACTIVATE_HARD for r in rows[4:])
    assert {r["split"] for r in rows} <= {"train", "dev"}
    assert all(r["split"] == "dev" for r in rows if "en-029" in r["voice_id"])  # Caribbean English is held out
    assert all(80 <= r["speed"] <= 230 for r in rows)
    clips, loaded = takes.load_takes(tmp_path, kind="positive")
    assert len(clips) == 4 and all(c.dtype == np.float32 and len(c) > takes.RATE // 20 for c in clips)
    assert loaded == rows[:4]


def test_a_half_made_folder_is_finished_not_redone(tmp_path):
    voices = fast_voices()
    full = takes.build_takes(tmp_path / "full", "jarvis", 3, 3, seed=5, voices=voices)
    first = takes.build_takes(tmp_path / "half", "jarvis", 3, 3, seed=5, voices=voices)
    path = tmp_path / "half" / takes.MANIFEST
    half = json.loads(path.read_text())
    half["clips"], half["done"] = half["clips"][:2], False
    path.write_text(json.dumps(half))
    resumed = takes.build_takes(tmp_path / "half", "jarvis", 3, 3, seed=5, voices=voices)
    assert [r["text"] for r in resumed["clips"]] == [r["text"] for r in full["clips"]] == \
        [r["text"] for r in first["clips"]]


def test_hard_negatives_hold_pieces_of_the_word():
    assert "acti" in takes.hard_negatives("activate") and "vate" in takes.hard_negatives("activate")
    pieces = takes.hard_negatives("computer")
    assert {"comp", "uter"} <= set(pieces) and "computer" not in pieces


def test_neural_voices_have_their_own_held_out_speakers():
    assert takes.split_of("kokoro:jm_kumo") == "dev" and takes.split_of("kokoro:mix-55") == "dev"
    assert takes.split_of("kokoro:mix-3") == "train" and takes.split_of("piper:joe") == "train"
    assert takes.split_of("flite:awb") == "dev"  # the classic voices keep bank.voice_split's
