"""benchmarks/proxy_misses.py: per-recording hit rates read back from a judged proxy folder's cache."""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "proxy_misses.py"
spec = importlib.util.spec_from_file_location("proxy_misses", SCRIPT)
misses = importlib.util.module_from_spec(spec)
sys.modules["proxy_misses"] = misses
spec.loader.exec_module(misses)
STEP = misses.evaluate.STEP_SECONDS


def judged_folder(folder: Path, heard: dict) -> Path:
    """A word folder whose judge/real cache holds one mix per (recording, SNR): a word ending at
    5 s, and an answer of 1 just after it when heard[(recording, snr)], else 0."""
    mixes, probabilities = [], []
    for (recording, snr), yes in heard.items():
        p = np.zeros(1375, np.float32)
        if yes:
            p[int(round(5.2 / STEP))] = 1.0
        probabilities.append(p)
        mixes.append(misses.proxy.Mix([5000], snr, "fan", recording).__dict__)
    (folder / "judge").mkdir(parents=True)
    np.save(folder / "judge" / "real.npy", np.stack(probabilities))
    (folder / "judge" / "real.json").write_text(json.dumps(dict(key={}, mixes=mixes)))
    return folder


def test_hit_rates_per_recording_and_snr_and_how_two_models_agree(tmp_path, capsys):
    # recording 0: always heard; 1: never; 2: only at 30 dB; 3: heard by the first model only
    first = {(0, 30.0): 1, (0, 10.0): 1, (1, 30.0): 0, (1, 10.0): 0, (2, 30.0): 1, (2, 10.0): 0,
             (3, 30.0): 1, (3, 10.0): 1}
    second = {**first, (3, 30.0): 0, (3, 10.0): 0}
    a = judged_folder(tmp_path / "a", first)
    b = judged_folder(tmp_path / "b", second)
    per_recording, per_snr = misses.hit_rates(a, 0.5)
    assert per_recording == {0: 1.0, 1: 0.0, 2: 0.5, 3: 1.0}
    assert per_snr == {30.0: 0.75, 10.0: 0.5}
    assert misses.hit_rates(a, 1.5)[0] == {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}  # nothing passes a threshold above 1
    agreed = misses.agreement(per_recording, misses.hit_rates(b, 0.5)[0])
    assert agreed["recordings"] == 4 and agreed["both_always_missed"] == 1 and agreed["both_always_heard"] == 1
    assert 0.0 < agreed["correlation"] < 1.0
    assert misses.main([f"{a}@0.5", f"{b}@0.5"]) == 0
    out = capsys.readouterr().out
    assert "recall 62.5% over 4 recordings" in out and "1 missed by both in every mix" in out
