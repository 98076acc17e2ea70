"""The false-alarm breakdown: blaming each false alarm on the clip it follows, and a tiny run."""
import pytest

from core.trigger.training import false_alarms
from core.trigger.voicebank.bank import BUNDLED_DIR


def seg(kind, index, start_ms, end_ms, placed=True):
    return dict(kind=kind, index=index, start_ms=start_ms, end_ms=end_ms, placed=placed)


def test_blame_skips_hits_and_names_the_clip_a_false_alarm_follows():
    segments = [seg("activate", 0, 1000, 1800), seg("negative", 0, 3000, 3600), seg("negative", 1, 6000, 6500),
                seg("negative", 2, 8000, 8400, placed=False)]
    labels = ["captivate", "hello", "never placed"]
    # 1.9 s: a hit on the activate; 3.2 s: inside "captivate"; 4.5 s: 0.9 s after it (still its);
    # 7.6 s: 1.1 s after "hello" (too late to blame it); 8.2 s: only an unplaced clip there
    assert false_alarms.blame([1.9, 3.2, 4.5, 7.6, 8.2], segments, labels) == ["captivate", "captivate", None, None]


def test_recall_by_voice_counts_each_activate_for_its_variant():
    voices = ["espeak-ng:en-gb+Alicia", "flite:awb"]
    mixes = [[seg("activate", 0, 1000, 1800), seg("activate", 1, 4000, 4800)], [seg("activate", 0, 2000, 2600)]]
    detections = [[1.9], [9.0]]  # heard the first Alicia, missed awb, missed the second Alicia (far off)
    assert false_alarms.recall_by_voice(detections, mixes, voices) == {"Alicia": [1, 2], "flite:awb": [0, 1]}
    assert false_alarms.voice_variant("espeakng-loader:en-gb-scotland+Alicia") == "Alicia"


def test_a_second_detection_on_one_activate_is_a_false_alarm():
    segments = [seg("activate", 0, 1000, 1800)]
    assert false_alarms.blame([1.9, 2.5], segments, []) == [None]


@pytest.mark.slow
def test_a_tiny_analysis_on_the_bundled_bank_reports_every_kind():
    report = false_alarms.analyse(BUNDLED_DIR, n_mixes=2, seed=0, thresholds=(0.5, 0.95), real_per_word=2)
    assert set(report["kinds"]) == set(false_alarms.KINDS)
    assert all(0.0 <= r <= 1.0 for r in report["recall"].values())
    for kind in false_alarms.KINDS:
        rates = report["kinds"][kind]["false_alarms_per_hour"]
        assert rates["0.5"] >= rates["0.95"] >= 0  # a higher threshold never fires more
        assert sum(report["words"][kind].values()) * 3600 / (2 * 10) == pytest.approx(rates["0.95"])
    text = false_alarms.markdown(report, "python -m core.trigger.training.false_alarms")
    assert "| 0.95 |" in text and "confusable" in text and "Hardest voices" in text and "by voice" in text
    # every false alarm at the words' threshold is blamed on a word and on a voice alike
    assert sum(report["false_alarm_voices"].values()) == sum(sum(w.values()) for w in report["words"].values())
    assert sum(said for _, said in report["recall_by_voice"].values()) > 0
