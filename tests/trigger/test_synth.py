"""The course's functions: its sanity checks, its rules, and bit-for-bit reproducible examples."""
import numpy as np
import pytest

from core.trigger.audio import SAMPLE_RATE, dbfs
from core.trigger.synth import (
    Tx, Ty, create_training_example, get_random_time_segment, insert_audio_clip, insert_ones,
    is_overlapping, make_example, match_target_amplitude, n_freq,
)


def test_course_constants():
    assert (Tx, Ty, n_freq) == (5511, 1375, 101)


def test_is_overlapping_as_the_course_checks():
    assert is_overlapping((950, 1430), [(2000, 2550), (260, 949)]) is False
    assert is_overlapping((2305, 2950), [(824, 1532), (1900, 2305), (3424, 3656)]) is True


def test_insert_ones_sanity_checks(capsys):
    arr1 = insert_ones(np.zeros((1, Ty)), 9700)
    assert arr1[0][1333] == 0.0 and arr1.sum() == Ty - 1334  # 1334…1374: cut at Ty
    arr1 = insert_ones(arr1, 4251)
    print("sanity checks:", arr1[0][1333], arr1[0][634], arr1[0][635])
    assert capsys.readouterr().out == "sanity checks: 0.0 1.0 0.0\n"
    assert arr1[0, 585:635].all() and arr1[0, 584] == 0 and arr1.sum() == 41 + 50


def test_insert_ones_on_a_flat_vector():
    y = insert_ones(np.zeros(Ty), 1000)
    assert y.shape == (Ty,) and np.flatnonzero(y).tolist() == list(range(138, 188))


def test_a_failed_insert_adds_no_label():
    y = insert_ones(np.zeros((1, Ty)), 10000)
    assert y.sum() == 0


def test_get_random_time_segment_stays_inside():
    rng = np.random.default_rng(0)
    for segment_ms in (1, 500, 9998):
        for _ in range(200):
            start, end = get_random_time_segment(segment_ms, rng)
            assert 0 <= start < 10000 - segment_ms and end == start + segment_ms - 1
    with pytest.raises(ValueError):
        get_random_time_segment(10000, rng)


def test_insert_audio_clip_avoids_overlap_and_gives_up():
    rng = np.random.default_rng(0)
    background = np.zeros(441000, np.float32)
    clip = np.full(SAMPLE_RATE * 2, 0.5, np.float32)  # 2 s
    previous = []
    for _ in range(3):
        background, segment = insert_audio_clip(background, clip, previous, rng)
    assert len(previous) <= 3
    for i, a in enumerate(previous):
        assert not is_overlapping(a, previous[:i] + previous[i + 1:])
    full = [(0, 9999)]
    same, segment = insert_audio_clip(background, clip, full, rng)
    assert segment == (10000, 10000) and same is background and full == [(0, 9999)]


def test_match_target_amplitude():
    x = np.random.default_rng(0).uniform(-0.01, 0.01, 44100).astype(np.float32)
    assert abs(dbfs(match_target_amplitude(x, -20.0)) + 20.0) < 0.01
    silent = np.zeros(100, np.float32)
    assert not match_target_amplitude(silent, -20.0).any()


@pytest.fixture(scope="module")
def parts():
    rng = np.random.default_rng(42)
    background = rng.uniform(-0.3, 0.3, 441000).astype(np.float32)
    activates = [rng.uniform(-0.3, 0.3, n).astype(np.float32) for n in (30000, 35000, 26000)]
    negatives = [rng.uniform(-0.3, 0.3, n).astype(np.float32) for n in (20000, 50000)]
    return background, activates, negatives


def test_create_training_example_shapes_and_labels(parts):
    background, activates, negatives = parts
    for seed in range(20):
        example = make_example(background, activates, negatives, rng=np.random.default_rng(seed))
        assert example.x.shape == (n_freq, Tx) and example.y.shape == (1, Ty) and example.audio.shape == (441000,)
        placed = [s for s in example.segments if s["placed"]]
        assert sum(s["kind"] == "activate" for s in example.segments) <= 4
        assert sum(s["kind"] == "negative" for s in example.segments) <= 2
        expected = np.zeros((1, Ty))
        for s in placed:
            if s["kind"] == "activate":
                insert_ones(expected, s["end_ms"])
        np.testing.assert_array_equal(example.y, expected)
        assert abs(dbfs(example.audio) + 20.0) < 0.2  # normalised to −20 dBFS
        for i, a in enumerate(placed):
            assert not any(is_overlapping((a["start_ms"], a["end_ms"]), [(b["start_ms"], b["end_ms"])])
                           for b in placed[i + 1:])
    x, y = create_training_example(background, activates, negatives, rng=np.random.default_rng(0))
    assert x.shape == (101, 5511) and y.shape == (1, 1375)


def test_chosen_counts(parts):
    background, activates, negatives = parts
    example = make_example(background, activates, negatives, rng=np.random.default_rng(3), n_activates=2, n_negatives=0)
    assert [s["kind"] for s in example.segments] == ["activate", "activate"]
    empty = make_example(background, activates, negatives, rng=np.random.default_rng(3), n_activates=0, n_negatives=0)
    assert empty.y.sum() == 0 and empty.segments == []


def test_same_seed_same_example_bit_for_bit(parts):
    from core.trigger.voicebank.augment import Augmenter

    background, activates, negatives = parts
    a = Augmenter(p_speed=1, p_pitch=1, p_vocal_tract=1, p_reverb=1, p_microphone=1)
    options = dict(augment_clip=a.augment_clip, augment_recording=a.augment_recording)
    one = make_example(background, activates, negatives, rng=np.random.default_rng(7), **options)
    two = make_example(background, activates, negatives, rng=np.random.default_rng(7), **options)
    other = make_example(background, activates, negatives, rng=np.random.default_rng(8), **options)
    assert one.x.tobytes() == two.x.tobytes() and one.y.tobytes() == two.y.tobytes()
    assert one.audio.tobytes() == two.audio.tobytes() and one.segments == two.segments
    assert one.audio.tobytes() != other.audio.tobytes()
