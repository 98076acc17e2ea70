"""The embedding spotter: its windows of embeddings, its place on the course's grid, its folder."""
import numpy as np
import pytest

from core.trigger import embedding_spotter as es
from core.trigger import speech_embedding as se
from core.trigger import spotter
from core.trigger.audio import SAMPLE_RATE
from core.trigger.detect import output_steps
from core.trigger.synth import Ty


@pytest.fixture(scope="module")
def fresh():
    """An untrained head (fixed seed): the code path, not the answers."""
    import keras

    keras.utils.set_random_seed(0)
    return es.EmbeddingSpotterDetector(es.build_model(), {"threshold": 0.5, "confirm_windows": 1})


def test_a_two_second_training_window_holds_sixteen_embeddings():
    assert es.WINDOW_MELS == se.n_frames(es.WINDOW_SAMPLES) == 199
    assert es.WINDOW_EMBEDDINGS == se.n_embeddings(es.WINDOW_MELS) == 16
    assert es.WINDOW_SAMPLES == spotter.WINDOW_SAMPLES  # the spotter's windows, from the same recipe


def test_window_features_are_every_run_of_sixteen():
    emb = np.arange(20 * 96, dtype=np.float32).reshape(20, 96)
    feats = es.window_features(emb)
    assert feats.shape == (5, 16, 96)
    np.testing.assert_array_equal(feats[3], emb[3:19])
    assert es.window_features(emb[:15]).shape == (0, 16, 96)


def test_ten_seconds_give_the_course_grid_and_answers_are_causal(fresh):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(10 * SAMPLE_RATE) * 0.05).astype(np.float32)
    p = fresh.clip_probabilities(x)
    assert p.shape == (Ty,) and np.all((p >= 0) & (p <= 1)) and p.std() > 0
    y = x.copy()  # a tone from 6 to 8 s, faded in and out (a sharp edge would ring through the
    # band-limited resampler, which, being FFT-based, reaches the whole clip; the spotter's too)
    n = 2 * SAMPLE_RATE
    y[6 * SAMPLE_RATE:8 * SAMPLE_RATE] += np.sin(np.arange(n) * 0.2) * 0.5 * np.hanning(n)
    q = fresh.clip_probabilities(y)
    before = (np.arange(Ty) + 1) * 10.0 / Ty < 5.9  # steps that end before 5.9 s
    # (the loudest frame moves the 80 dB floor: none of this audio is that quiet)
    np.testing.assert_allclose(p[before], q[before], atol=1e-4)
    assert np.abs(p[~before] - q[~before]).max() > 1e-3


def test_the_first_window_ends_with_the_first_frame_and_answers_step_every_80_ms(fresh):
    x = (np.random.default_rng(2).standard_normal(SAMPLE_RATE) * 0.05).astype(np.float32)
    held = fresh.probabilities(x)
    assert len(held) == output_steps(len(x))
    changes = np.flatnonzero(np.diff(held)) + 1
    step_s = 10.0 / Ty
    gaps = np.diff(changes) * step_s
    assert np.all(gaps > 0.06) and np.all(gaps < 0.1)  # a new answer about every 0.08 s
    first_end = se.MEL_FFT / se.RATE  # the first window ends with the audio's first mel frame (32 ms)
    times = (np.arange(len(held)) + 1) * step_s
    assert np.all(held[times < first_end] == 0) and np.all(held[times >= first_end] > 0)


def test_save_load_and_load_detector_find_the_kind(tmp_path, fresh):
    es.save(fresh.model, tmp_path / "e", threshold=0.7, word="jarvis")
    detector = spotter.load_detector(tmp_path / "e")
    assert isinstance(detector, es.EmbeddingSpotterDetector)
    assert detector.threshold == 0.7 and detector.config["kind"] == es.KIND
    x = (np.random.default_rng(4).standard_normal(2 * SAMPLE_RATE) * 0.05).astype(np.float32)
    detector.confirm_windows = 1
    np.testing.assert_allclose(detector.probabilities(x), fresh.probabilities(x), atol=1e-6)
    with pytest.raises(FileNotFoundError, match="no trained embedding spotter"):
        es.load(tmp_path / "missing")


def test_two_heads_saved_as_one_folder_answer_with_their_mean(tmp_path, fresh):
    import keras

    keras.utils.set_random_seed(1)
    other = es.build_model()
    es.save(es.ensemble([fresh.model, other]), tmp_path / "e", threshold=0.8, members=2)
    loaded = spotter.load_detector(tmp_path / "e")
    assert isinstance(loaded, es.EmbeddingSpotterDetector) and loaded.config["members"] == 2
    x = np.random.default_rng(3).standard_normal((4, es.WINDOW_EMBEDDINGS, se.EMBEDDING_DIM)).astype(np.float32)
    mean = (fresh.window_probabilities(x) + es.EmbeddingSpotterDetector(other).window_probabilities(x)) / 2
    np.testing.assert_allclose(loaded.window_probabilities(x), mean, atol=1e-6)
    assert loaded.model.count_params() == 2 * other.count_params()


def test_the_confirm_rule_holds_the_lowest_of_three(fresh):
    x = (np.random.default_rng(5).standard_normal(3 * SAMPLE_RATE) * 0.05).astype(np.float32)
    three = es.EmbeddingSpotterDetector(fresh.model, {"confirm_windows": 3}, front=fresh.front)
    assert np.all(three.probabilities(x) <= fresh.probabilities(x) + 1e-6)


def test_the_padding_in_front_is_the_recordings_own_quietest_room():
    rng = np.random.default_rng(6)
    room = (rng.standard_normal(3 * se.RATE) * 0.01).astype(np.float32)
    audio = room.copy()
    audio[:se.RATE // 2] += 0.5 * np.sin(np.arange(se.RATE // 2) * 0.3)  # a loud start: not the room
    pad = es.room_padding(audio, es.PAD_SAMPLES)
    assert len(pad) == es.PAD_SAMPLES == (es.WINDOW_MELS - 1) * se.MEL_HOP
    assert np.sqrt(np.mean(pad ** 2)) == pytest.approx(0.01, rel=0.2)
    assert len(es.room_padding(np.zeros(0, np.float32), 1000)) == 1000  # nothing recorded: silence


def test_the_first_window_ends_with_the_audios_first_frame(fresh):
    x = (np.random.default_rng(7).standard_normal(SAMPLE_RATE) * 0.05).astype(np.float32)
    mel = fresh.mel_for(x, SAMPLE_RATE)
    audio_frames = se.n_frames(len(es.logmel.to_rate(x, SAMPLE_RATE)))
    assert len(mel) == audio_frames + es.WINDOW_MELS - 1
