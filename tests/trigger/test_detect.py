"""Detection: the course's chime rule, windows over long audio, and the trained model on held-out voices."""
import numpy as np
import pytest

from core.trigger.audio import SAMPLE_RATE, AudioError, read_audio, wav_bytes
from core.trigger.detect import (CLIP_SAMPLES, REFRACTORY_STEPS, STEP_SECONDS, TriggerDetector, check_audio,
                                 chime_on_activate, detect_events, features, output_steps,
                                 preprocess_audio)
from core.trigger.synth import Ty


# --- the course's rule ----------------------------------------------------------------------

def test_one_word_rings_once():
    p = np.zeros(Ty)
    p[100:160] = 0.9  # 60 steps above threshold: one word
    assert detect_events(p, 0.5) == [100]


def test_a_second_word_rings_only_after_75_steps():
    p = np.zeros(Ty)
    p[[100, 100 + REFRACTORY_STEPS, 101 + REFRACTORY_STEPS]] = 0.9
    assert detect_events(p, 0.5) == [100, 101 + REFRACTORY_STEPS]


def test_threshold_is_strict_and_silence_never_rings():
    assert detect_events(np.full(Ty, 0.5), 0.5) == []
    assert detect_events(np.zeros(Ty), 0.5) == []


def test_the_rule_carries_across_windows():
    """A word that rang 10 steps before this window began must not ring again at its start."""
    p = np.zeros(200)
    p[:100] = 0.9
    assert detect_events(p, 0.5, last_step=-10) == [66]  # 76 steps after step −10, as within a window
    assert detect_events(p, 0.5, last_step=-200) == [0, 76]


def test_chime_lands_where_asked_and_keeps_length():
    audio = np.zeros(SAMPLE_RATE * 3, dtype=np.float32)
    chime = np.ones(100, dtype=np.float32) * 0.5
    out = chime_on_activate(audio, [1.0, 2.5], chime)
    assert len(out) == len(audio)
    assert np.flatnonzero(out).tolist() == list(range(44100, 44200)) + list(range(110250, 110350))


def test_preprocess_pads_and_trims_to_ten_seconds():
    assert len(preprocess_audio(np.ones(5))) == CLIP_SAMPLES
    assert len(preprocess_audio(np.ones(CLIP_SAMPLES + 7))) == CLIP_SAMPLES
    assert features(preprocess_audio(np.zeros(3))).shape == (5511, 101)


# --- windows over long audio, with a model whose output only depends on nearby input --------

def local_model():
    """Conv1D over the log spectrogram, nothing recurrent: every output sees 15 frames, so a
    stitched long run must equal one pass over the whole input."""
    import keras

    inputs = keras.Input((None, 101))
    x = keras.layers.Lambda(lambda t: keras.ops.log1p(t))(inputs)
    outputs = keras.layers.Conv1D(1, 15, strides=4, activation="sigmoid",
                                  kernel_initializer=keras.initializers.RandomNormal(seed=1))(x)
    return keras.Model(inputs, outputs)


def test_long_audio_windows_stitch_to_one_pass():
    rng = np.random.default_rng(0)
    samples = (0.1 * rng.standard_normal(int(SAMPLE_RATE * 23.3))).astype(np.float32)  # level is even
    detector = TriggerDetector(local_model())
    stitched = detector.probabilities(samples)
    whole = np.asarray(detector.model(features(samples)[None]))[0, :, 0]
    assert len(stitched) == len(whole) == output_steps(len(samples))
    np.testing.assert_allclose(stitched, whole, atol=2e-3)


def test_short_audio_gives_steps_for_its_length_only():
    detector = TriggerDetector(local_model())
    assert len(detector.probabilities(np.zeros(SAMPLE_RATE, dtype=np.float32))) == 134  # (549 columns − 15) // 4 + 1


# --- the trained model ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def detector():
    return TriggerDetector.load()


@pytest.fixture(scope="module")
def held_out():
    """The bundled bank's dev split: voices the model never trained on."""
    from core.trigger.voicebank.bank import load_bundled_bank, split_bank

    return split_bank(load_bundled_bank())[1]


def test_detections_land_within_a_second_after_the_word(detector, held_out):
    from core.trigger.synth import make_example

    hits, total, false_alarms = 0, 0, 0
    for seed in range(8):
        example = make_example(held_out.backgrounds[seed % 4], held_out.activates, held_out.negatives,
                               rng=np.random.default_rng(seed), n_activates=1 + seed % 2, n_negatives=1)
        ends = [s["end_ms"] / 1000 for s in example.segments if s["kind"] == "activate" and s["placed"]]
        found = detector.detect(example.audio).detections
        matched = [any(end - 0.25 <= t <= end + 1.0 for end in ends) for t in found]
        false_alarms += matched.count(False)
        hits += sum(any(end - 0.25 <= t <= end + 1.0 for t in found) for end in ends if end < 9.5)
        total += sum(end < 9.5 for end in ends)
    assert hits >= 0.8 * total, f"{hits} of {total} heard"
    assert false_alarms <= 1


def test_the_same_word_is_found_at_its_place_in_a_long_file(detector, held_out):
    """30 s of quiet noise with one held-out "activate" ending at 17 s: one detection, just after."""
    rng = np.random.default_rng(3)
    audio = (0.003 * rng.standard_normal(SAMPLE_RATE * 30)).astype(np.float32)
    clip = held_out.activates[0]
    end = 17 * SAMPLE_RATE
    audio[end - len(clip):end] += clip
    found = detector.detect(audio).detections
    assert len(found) == 1 and 16.75 <= found[0] <= 18.0, found


# --- what people upload ---------------------------------------------------------------------

def tone(seconds, rate=SAMPLE_RATE, amplitude=0.3):
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.mark.parametrize("audio,rate,note", [
    (np.zeros(SAMPLE_RATE * 2, dtype=np.float32), SAMPLE_RATE, "silent"),
    (np.clip(tone(2, amplitude=3.0), -1, 1), SAMPLE_RATE, "clipped"),
    (tone(0.6), SAMPLE_RATE, "only 0.6 s"),
    (tone(3, 8000), 8000, None),
    (tone(3, 96000), 96000, None),
    (np.stack([tone(3), tone(3)], axis=1), SAMPLE_RATE, None),
])
def test_odd_audio_gives_a_result_and_a_note(detector, audio, rate, note):
    result = detector.detect_file(wav_bytes(audio, rate))
    assert 0.0 <= result.max_probability <= 1.0
    assert (note is None and not result.notes) or any(note in n for n in result.notes), result.notes


def test_a_few_hundred_clipped_samples_are_named_and_a_touch_of_full_scale_is_not():
    audio = tone(10, amplitude=0.3)
    light = audio.copy()
    light[SAMPLE_RATE * 3:SAMPLE_RATE * 3 + 548] = 1.0  # as many as a median judged mix of the proxy
    note = " ".join(check_audio(light))
    assert "clipped (too loud): 548 samples at full scale" in note
    touched = audio.copy()
    touched[SAMPLE_RATE * 3:SAMPLE_RATE * 3 + 5] = 1.0
    assert not any("clipped" in n for n in check_audio(touched))


def test_ten_minutes_is_analysed(detector):
    rng = np.random.default_rng(0)
    result = detector.detect((0.01 * rng.standard_normal(SAMPLE_RATE * 600)).astype(np.float32))
    assert len(result.probabilities) == output_steps(SAMPLE_RATE * 600)
    # the spectrogram's last window and the conv's 15-column kernel leave the final few steps out
    assert 0 <= 600 - len(result.probabilities) * STEP_SECONDS < 5 * STEP_SECONDS


@pytest.mark.parametrize("data,message", [(b"", "empty"), (b"not a wav at all", "not a WAV"),
                                          (wav_bytes(tone(1))[:30], "damaged|no format|no audio")])
def test_unreadable_audio_gets_a_clear_message(detector, data, message):
    with pytest.raises(AudioError, match=message):
        detector.detect_file(data)


def test_overlong_audio_is_refused_before_the_model_runs(detector):
    with pytest.raises(AudioError, match="at most 15 minutes"):
        detector.detect(np.zeros(SAMPLE_RATE * 60 * 16, dtype=np.float32))


def test_read_audio_resamples_stereo_wav(tmp_path):
    assert len(read_audio(wav_bytes(np.zeros((16000, 2), dtype=np.float32), 16000))) == SAMPLE_RATE
