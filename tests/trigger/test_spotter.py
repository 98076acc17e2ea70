"""The spotter: its windows, its place on the course's grid, level invariance, and the shipped model."""
import numpy as np
import pytest

from core.trigger import logmel, spotter
from core.trigger.audio import SAMPLE_RATE
from core.trigger.declip import declipped
from core.trigger.detect import STEP_SECONDS, TriggerDetector, output_steps
from core.trigger.synth import Ty


@pytest.fixture(scope="module")
def fresh():
    """An untrained spotter (fixed seed): the code path, not the answers."""
    import keras

    keras.utils.set_random_seed(0)
    return spotter.SpotterDetector(spotter.build_model(), {"threshold": 0.5})


def test_windows_end_every_hop_and_the_first_ends_with_the_first_frame():
    frames = spotter.frames_for(np.zeros(SAMPLE_RATE, np.float32))  # 1 s
    batch, ends = spotter.windows(frames)
    assert batch.shape[1:] == (spotter.WINDOW_FRAMES, logmel.N_MELS)
    seconds = spotter.window_end_seconds(ends)
    assert seconds[0] == pytest.approx(logmel.FRAME / logmel.RATE)  # 25 ms: one frame of real audio
    np.testing.assert_allclose(np.diff(seconds), spotter.WINDOW_HOP_FRAMES * logmel.HOP / logmel.RATE)
    assert len(batch) == len(range(0, len(frames) - spotter.WINDOW_FRAMES + 1, spotter.WINDOW_HOP_FRAMES))


def test_each_step_of_the_course_grid_holds_the_newest_window_answer():
    ends = np.array([0.1, 0.2, 0.3])
    grid = spotter.on_course_grid(np.array([0.2, 0.9, 0.4]), ends, 60)
    times = (np.arange(60) + 1) * STEP_SECONDS
    assert np.all(grid[times < 0.1] == 0)
    assert np.all(grid[(times >= 0.1) & (times < 0.2)] == np.float32(0.2))
    assert np.all(grid[(times >= 0.2) & (times < 0.3)] == np.float32(0.9))
    assert np.all(grid[times >= 0.3] == np.float32(0.4))


def test_a_word_must_be_heard_in_three_windows_in_a_row():
    answers = np.array([0.1, 0.99, 0.2, 0.95, 0.97, 0.99, 0.3], np.float32)
    held = spotter.confirmed(answers, 3)
    np.testing.assert_allclose(held, [0.1, 0.1, 0.1, 0.2, 0.2, 0.95, 0.3])  # the lone 0.99 never passes 0.9
    assert spotter.confirmed(answers[:1], 3).tolist() == [np.float32(0.1)]  # a recording's first window stands alone
    np.testing.assert_array_equal(spotter.confirmed(answers, 1), answers)


def test_the_detector_applies_its_folders_rule(tmp_path, fresh):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(3 * SAMPLE_RATE) * 0.1).astype(np.float32)
    spotter.save(fresh.model, tmp_path / "s", threshold=0.5, confirm_windows=1)
    one = spotter.load_detector(tmp_path / "s")
    batch, ends = spotter.windows(spotter.frames_for(x))
    raw = one.window_probabilities(batch)
    three = spotter.SpotterDetector(fresh.model, {"confirm_windows": 3})
    expected = spotter.on_course_grid(spotter.confirmed(raw, 3), spotter.window_end_seconds(ends),
                                      output_steps(len(x)))
    assert np.abs(expected - spotter.on_course_grid(raw, spotter.window_end_seconds(ends),
                                                    output_steps(len(x)))).max() > 1e-4  # the rule changes answers here
    np.testing.assert_allclose(three.probabilities(x), expected, atol=1e-6)
    np.testing.assert_allclose(one.probabilities(x), spotter.on_course_grid(
        raw, spotter.window_end_seconds(ends), output_steps(len(x))), atol=1e-6)
    assert spotter.SpotterDetector(fresh.model).confirm_windows == spotter.CONFIRM_WINDOWS


def test_the_window_normalisation_makes_loudness_irrelevant(fresh):
    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(3 * SAMPLE_RATE) * 0.01).astype(np.float32)
    audio[SAMPLE_RATE:SAMPLE_RATE + 20000] += 0.2 * np.sin(np.arange(20000) * 0.05)
    quiet, loud = fresh.probabilities(audio * 0.05), fresh.probabilities(audio)  # 26 dB apart
    # not to the last digit: the front end's dither (−90 dBFS) is the one fixed level, 24 dB under the quiet hiss
    np.testing.assert_allclose(quiet, loud, atol=0.02)


def test_the_spotter_speaks_the_course_detector_interface(fresh):
    ten = np.zeros(10 * SAMPLE_RATE, np.float32)
    assert fresh.clip_probabilities(ten).shape == (Ty,)
    long = np.zeros(23 * SAMPLE_RATE, np.float32)
    result = fresh.detect(long, threshold=0.5)
    assert len(result.probabilities) == len(result.times) == output_steps(len(long))
    assert result.seconds == pytest.approx(23.0)
    assert fresh.detect(np.zeros(SAMPLE_RATE // 10, np.float32)).notes  # silent and short: said so


def test_save_and_load_round_trip_and_load_detector_tells_the_kinds_apart(tmp_path, fresh):
    spotter.save(fresh.model, tmp_path / "s", threshold=0.7)
    loaded = spotter.load_detector(tmp_path / "s")
    assert isinstance(loaded, spotter.SpotterDetector) and loaded.threshold == 0.7
    x = np.random.default_rng(2).standard_normal(2 * SAMPLE_RATE).astype(np.float32) * 0.1
    np.testing.assert_allclose(loaded.probabilities(x), fresh.probabilities(x), atol=1e-6)
    assert type(spotter.load_detector(spotter.MODEL_DIR.parent / "trigger")) is TriggerDetector
    with pytest.raises(FileNotFoundError):
        spotter.load(tmp_path / "none")


def test_an_ensemble_answers_with_its_members_mean_and_survives_a_round_trip(tmp_path, fresh):
    import keras

    keras.utils.set_random_seed(1)
    other = spotter.build_model()
    both = spotter.ensemble([fresh.model, other])
    x = np.random.default_rng(3).standard_normal((3, spotter.WINDOW_FRAMES, logmel.N_MELS)).astype(np.float32)
    mean = (fresh.model(x, training=False).numpy() + other(x, training=False).numpy()) / 2
    np.testing.assert_allclose(both(x, training=False).numpy(), mean, atol=1e-6)
    assert both.count_params() == 2 * other.count_params()
    spotter.save(both, tmp_path / "e", threshold=0.6, members=2)
    loaded = spotter.load_detector(tmp_path / "e")
    assert loaded.config["members"] == 2 and loaded.threshold == 0.6
    np.testing.assert_allclose(loaded.window_probabilities(x), mean.reshape(-1), atol=1e-6)


@pytest.mark.slow
def test_the_shipped_spotter_hears_a_held_out_voice_after_the_word_and_not_in_silence():
    from core.trigger.voicebank.bank import load_bundled_bank, split_bank

    detector = spotter.SpotterDetector.load()
    clip = split_bank(load_bundled_bank())[1].activates[0]  # a voice no model trained on
    rng = np.random.default_rng(0)
    audio = (0.003 * rng.standard_normal(6 * SAMPLE_RATE)).astype(np.float32)
    stop = 3 * SAMPLE_RATE
    audio[stop - len(clip):stop] += clip
    result = detector.detect(audio)
    assert len(result.detections) == 1 and 2.75 <= result.detections[0] <= 4.0
    assert not detector.detect(audio[:SAMPLE_RATE] * 0.0 + audio[-SAMPLE_RATE:]).detections  # the hiss alone


def test_a_word_rings_once_though_the_answer_stays_high_for_over_half_a_second(fresh):
    from core.trigger.detect import REFRACTORY_STEPS, detect_events

    curve = np.zeros(1375, np.float32)
    curve[400:400 + int(0.7 / STEP_SECONDS)] = 0.99  # what the spotter gives for ~0.1 s before to 0.6 s after a word
    assert len(detect_events(curve, 0.5, REFRACTORY_STEPS)) == 2  # the course's 0.55 s rule would ring twice
    assert len(detect_events(curve, 0.5, fresh.refractory_steps)) == 1
    assert fresh.refractory_steps * STEP_SECONDS == pytest.approx(1.0, abs=0.01)


def test_a_squeezed_window_is_the_same_window_end_with_more_time_played_faster():
    frames = np.arange(600, dtype=np.float32)[:, None] * np.ones((1, logmel.N_MELS), np.float32)  # frame i holds i
    plain, ends = spotter.windows(frames)
    np.testing.assert_array_equal(spotter.squeezed_windows(frames, 1.0), plain)
    squeezed = spotter.squeezed_windows(frames, 1.5)
    assert squeezed.shape == plain.shape
    reach = round(spotter.WINDOW_FRAMES * 1.5)
    for k in (0, 10, len(ends) - 1):  # ends where the plain window ends, starts 1.5 × as far back
        assert squeezed[k, -1, 0] == pytest.approx(ends[k])
        assert squeezed[k, 0, 0] == pytest.approx(max(0, ends[k] - reach + 1))
        assert np.all(np.diff(squeezed[k, :, 0]) >= 0)
    k = len(ends) - 1  # away from the start: evenly spaced, 1.5 frames apart
    np.testing.assert_allclose(np.diff(squeezed[k, :, 0]), (reach - 1) / (spotter.WINDOW_FRAMES - 1), rtol=1e-4)


def test_slow_views_answer_with_the_most_confident_view_and_the_live_slice_agrees(tmp_path, fresh):
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(5 * SAMPLE_RATE) * 0.05).astype(np.float32)
    x[2 * SAMPLE_RATE:3 * SAMPLE_RATE] += 0.3 * np.sin(np.arange(SAMPLE_RATE) * 0.03)
    frames = spotter.frames_for(x)
    plain = spotter.confirmed(fresh.window_probabilities(spotter.windows(frames)[0]), 3)
    slow = spotter.confirmed(fresh.window_probabilities(spotter.squeezed_windows(frames, 1.5)), 3)
    assert np.abs(plain - slow).max() > 1e-3  # the view hears something else here
    spotter.save(fresh.model, tmp_path / "v", threshold=0.5, slow_views=[1.5])
    viewed = spotter.load_detector(tmp_path / "v")
    assert viewed.slow_views == (1.5,) and fresh.slow_views == spotter.SLOW_VIEWS
    np.testing.assert_allclose(viewed.view_answers(frames), np.maximum(plain, slow), atol=1e-6)
    whole = viewed.probabilities(x)
    for step in (1, 150, 300, output_steps(len(x)) - 1):  # the live stream's slices need the longer view's past
        np.testing.assert_allclose(viewed.probabilities(x, from_step=step)[step:], whole[step:], atol=1e-6)
    assert viewed.context_seconds > fresh.context_seconds + 0.9  # 1 s more audio behind the newest step
    later = spotter.SpotterDetector(fresh.model)  # a judge that gives a loaded detector a view keeps it right
    later.slow_views = (1.5,)
    assert later.context_seconds == pytest.approx(viewed.context_seconds)
    later.context_seconds = None  # by hand: the stream's whole-window path
    assert later.context_seconds is None

    strict = spotter.SpotterDetector(fresh.model, {"slow_views": [1.5], "slow_view_confirm_windows": 5})
    assert strict.confirm_span() == 5 and strict.context_seconds == pytest.approx(viewed.context_seconds + 0.2)
    raw_slow = fresh.window_probabilities(spotter.squeezed_windows(frames, 1.5))
    np.testing.assert_allclose(strict.view_answers(frames), np.maximum(plain, spotter.confirmed(raw_slow, 5)), atol=1e-6)
    whole = strict.probabilities(x)
    for step in (150, output_steps(len(x)) - 1):  # the slice reaches back over the view's five windows
        np.testing.assert_allclose(strict.probabilities(x, from_step=step)[step:], whole[step:], atol=1e-6)


def test_a_declipping_detector_repairs_clipped_audio_only_and_its_live_slices_agree(tmp_path, fresh):
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(5 * SAMPLE_RATE) * 0.05).astype(np.float32)
    x[2 * SAMPLE_RATE:3 * SAMPLE_RATE] += 1.5 * np.sin(np.arange(SAMPLE_RATE) * 0.03)  # a loud stretch
    clipped = np.clip(x, -1.0, 1.0)
    spotter.save(fresh.model, tmp_path / "d", threshold=0.5, declip=True)
    repairing = spotter.load_detector(tmp_path / "d")
    assert repairing.declip and not fresh.declip
    quiet = 0.5 * clipped
    np.testing.assert_array_equal(repairing.probabilities(quiet), fresh.probabilities(quiet))  # nothing to repair
    whole = repairing.probabilities(clipped)
    assert np.abs(whole - fresh.probabilities(clipped)).max() > 1e-4  # the repair changes what it hears
    np.testing.assert_allclose(whole, fresh.probabilities(declipped(clipped)), atol=1e-6)
    for step in (150, 400, output_steps(len(x)) - 1):  # local: the live stream's slices hear the same
        np.testing.assert_allclose(repairing.probabilities(clipped, from_step=step)[step:], whole[step:], atol=1e-6)


def test_the_warp_moves_a_tone_to_where_the_lower_tone_lies():
    np.testing.assert_allclose(spotter.warp_matrix(0.0), np.eye(logmel.N_MELS), atol=1e-6)
    warp = spotter.warp_matrix(-4.0)
    np.testing.assert_allclose(warp.sum(axis=0), 1.0, atol=1e-6)  # each output band: a blend of two inputs
    t = np.arange(logmel.RATE) / logmel.RATE
    for hz in (500.0, 1000.0, 3000.0):
        tone = logmel.log_mel(np.sin(2 * np.pi * hz * t).astype(np.float32)).mean(axis=0)
        lower = logmel.log_mel(np.sin(2 * np.pi * hz * 2 ** (-4 / 12) * t).astype(np.float32)).mean(axis=0)
        assert abs(int((tone @ warp).argmax()) - int(lower.argmax())) <= 1


def test_pitch_views_answer_with_the_most_confident_view_and_the_live_slice_agrees(tmp_path, fresh):
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(5 * SAMPLE_RATE) * 0.05).astype(np.float32)
    x[2 * SAMPLE_RATE:3 * SAMPLE_RATE] += 0.3 * np.sin(np.arange(SAMPLE_RATE) * 0.08)
    frames = spotter.frames_for(x)
    plain_windows = spotter.windows(frames)[0]
    plain = spotter.confirmed(fresh.window_probabilities(plain_windows), 3)
    low = spotter.confirmed(fresh.window_probabilities(plain_windows @ spotter.warp_matrix(-4.0)), 3)
    assert np.abs(plain - low).max() > 1e-3  # the view hears something else here
    spotter.save(fresh.model, tmp_path / "p", threshold=0.5, pitch_views=[-4.0])
    viewed = spotter.load_detector(tmp_path / "p")
    assert viewed.pitch_views == (-4.0,) and fresh.pitch_views == spotter.PITCH_VIEWS
    np.testing.assert_allclose(viewed.view_answers(frames), np.maximum(plain, low), atol=1e-6)
    assert viewed.context_seconds == pytest.approx(fresh.context_seconds)  # the plain window's audio, no more
    whole = viewed.probabilities(x)
    for step in (1, 150, output_steps(len(x)) - 1):
        np.testing.assert_allclose(viewed.probabilities(x, from_step=step)[step:], whole[step:], atol=1e-6)
    both = spotter.SpotterDetector(fresh.model, {"slow_views": [1.5], "pitch_views": [-4.0]})
    slow = spotter.confirmed(fresh.window_probabilities(spotter.squeezed_windows(frames, 1.5)), 3)
    np.testing.assert_allclose(both.view_answers(frames), np.maximum(np.maximum(plain, slow), low), atol=1e-6)
