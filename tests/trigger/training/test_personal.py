"""Teaching a voice: the take checker on good and bad takes, and fine-tuning for a step or two.

Fine-tuning runs the real code path (make_example batches, the compiled training step) at
batch size 2; the first test to train pays the one-off compile (~25 s on two cores).
"""
import threading

import numpy as np
import pytest

from core.jobs import JobQueue
from core.trigger.audio import SAMPLE_RATE, dbfs, resample, wav_bytes
from core.trigger.synth import Tx, Ty, n_freq
from core.trigger.training import personal
from core.trigger.voicebank.bank import CLIP_DBFS, load_bundled_bank

BATCH = 2


@pytest.fixture(scope="module")
def bank():
    return load_bundled_bank()


@pytest.fixture(scope="module")
def base():
    """A fresh (untrained) model: fine-tuning mechanics do not need the trained weights."""
    from core.trigger.model import build_model

    return build_model((None, n_freq))


def recording(word, before=0.6, after=0.6, noise=0.001, gain=0.3, seed=0):
    """A take as a microphone gives it: quiet room noise, the word, more room noise."""
    rng = np.random.default_rng(seed)
    audio = np.concatenate([np.zeros(int(before * SAMPLE_RATE)), gain * word, np.zeros(int(after * SAMPLE_RATE))])
    return (audio + noise * rng.standard_normal(len(audio))).astype(np.float32)


def takes_from(bank, n=3):
    return [personal.inspect_take(recording(bank.activates[i], seed=i)).clip for i in range(n)]


# ----------------------------------------------------------------------------- the take checker
def test_good_takes_pass_and_are_trimmed_to_the_word(bank):
    for i in range(5):
        word = bank.activates[i]
        check = personal.inspect_take(recording(word, seed=i))
        assert check.ok, check.problems
        assert personal.check_take(recording(word, seed=i)) == []
        assert abs(check.speech_seconds - len(word) / SAMPLE_RATE) < 0.15  # the silence is gone
        assert abs(dbfs(check.clip) - CLIP_DBFS) < 0.5  # stored at the bank's level


def test_a_take_at_another_rate_comes_out_at_44_1_khz(bank):
    word = bank.activates[0]
    take16 = resample(recording(word), SAMPLE_RATE, 16000)
    check = personal.inspect_take(take16, 16000)
    assert check.ok and abs(len(check.clip) / SAMPLE_RATE - check.speech_seconds) < 0.01
    assert abs(check.speech_seconds - len(word) / SAMPLE_RATE) < 0.15


def problem_words(samples):
    return " | ".join(personal.check_take(samples))


def test_bad_takes_say_what_is_wrong(bank):
    word = bank.activates[0]
    rng = np.random.default_rng(1)
    assert problem_words(np.zeros(SAMPLE_RATE * 2, np.float32)).startswith("silence")
    assert problem_words(np.zeros(0, np.float32)).startswith("silence")
    steady = (0.02 * rng.standard_normal(SAMPLE_RATE * 2)).astype(np.float32)
    assert problem_words(steady).startswith("silence")  # noise, but no word stands out
    hum = (0.05 * np.sin(2 * np.pi * 50 * np.arange(SAMPLE_RATE * 2) / SAMPLE_RATE)).astype(np.float32)
    assert problem_words(hum).startswith("silence")
    assert "too quiet" in problem_words(recording(word, gain=0.004, noise=0.00003))
    assert "clipped" in problem_words(np.clip(recording(word, gain=20.0), -1, 1))
    sentence = np.concatenate([np.concatenate([bank.activates[i], np.zeros(SAMPLE_RATE // 5)]) for i in range(4)])
    assert "too long" in problem_words(recording(sentence))
    click = np.hanning(1500).astype(np.float32)
    assert "too short" in problem_words(recording(click, gain=0.5))


def test_every_problem_is_plain_words_with_advice(bank):
    for problems in (personal.check_take(np.zeros(SAMPLE_RATE, np.float32)),
                     personal.check_take(np.clip(recording(bank.activates[1], gain=20.0), -1, 1))):
        assert problems and all(len(p) > 30 and "(" in p for p in problems)


def test_takes_a_page_receives_are_kept_once_and_bad_ones_come_back_with_their_problems(bank):
    good = [wav_bytes(recording(bank.activates[i], seed=i)) for i in range(2)]
    silent = wav_bytes(np.zeros(SAMPLE_RATE, np.float32))
    takes = []
    notes, rejects, last_id = personal.take_in(takes, [("one", good[0]), ("again", good[0]), ("quiet", silent),
                                                       ("broken", b"RIFF....nonsense"), ("two", good[1])], 7)
    assert [t["id"] for t in takes] == [8, 9] and last_id == 9
    assert all(len(t["clip"]) and t["wav"] and t["seconds"] > 0 for t in takes)
    assert [kind for kind, _ in notes] == ["success", "info", "success"]
    assert notes[0][1].startswith("Take 1 accepted") and "already gave this take" in notes[1][1]
    assert [name for name, _, _ in rejects] == ["quiet", "broken"]
    assert rejects[0][1][0].startswith("silence") and rejects[0][2] is not None  # it can be heard again
    assert "could not be read" in rejects[1][1][0] and rejects[1][2] is None
    takes += [dict(takes[0], digest=str(i)) for i in range(personal.MAX_TAKES - 2)]
    notes, _, _ = personal.take_in(takes, [("one too many", wav_bytes(recording(bank.activates[2])))], last_id)
    assert "takes are enough" in notes[0][1] and len(takes) == personal.MAX_TAKES


def test_pieces_of_a_take_are_its_starts_ends_and_scrambles(bank):
    clip = takes_from(bank, 1)[0]
    pieces = personal.take_pieces(clip)
    assert len(pieces) == 2 * len(personal.PIECE_CUTS) + 2
    fade = SAMPLE_RATE // 100
    for k, cut in enumerate(personal.PIECE_CUTS):
        start, rest = pieces[2 * k], pieces[2 * k + 1]
        assert len(start) + len(rest) == len(clip) and len(start) == int(cut * len(clip))
        assert np.allclose(start[fade:-fade], clip[fade:len(start) - fade])
        assert np.allclose(rest[fade:-fade], clip[len(start) + fade:-fade])
    backwards, swapped = pieces[-2:]
    assert np.allclose(backwards[fade:-fade], clip[::-1][fade:-fade])
    assert len(swapped) == len(clip) and not np.allclose(swapped, clip)
    assert all(p[0] == 0 and p[-1] == 0 for p in pieces)  # faded in and out


def test_training_data_mixes_takes_pieces_and_negatives(bank):
    takes = takes_from(bank)
    real = [bank.negatives[0]] * 30
    data = personal.training_data(takes, bank, extra_negatives=real, generated_backgrounds=2)
    assert all(np.array_equal(a, b) for a, b in zip(data.activates, takes)) and len(data.activates) == 3
    assert data.pieces == 3 * len(personal.take_pieces(takes[0])) and data.real == 30
    others = len(bank.negatives) + 30
    share = (len(data.negatives) - others) / len(data.negatives)
    assert abs(share - personal.PIECE_SHARE) < 0.15  # the person's own pieces come up this often
    assert len(data.backgrounds) == len(bank.backgrounds) + 2
    with pytest.raises(ValueError):
        personal.training_data([], bank)


def test_batches_have_the_model_shapes_and_more_negatives(bank):
    data = personal.training_data(takes_from(bank), bank, extra_negatives=[], generated_backgrounds=0)
    x, y = personal.make_batch(data, 2, np.random.default_rng(0))
    assert x.shape == (2, Tx, n_freq) and y.shape == (2, Ty, 1) and x.dtype == y.dtype == np.float32


# ----------------------------------------------------------------------------- fine-tuning
def weights(model, like=None):
    """Variables by the path they have in `like` (default: model): a copy's auto-numbered
    layer names (dense_2 for dense) depend on how many models the process built before."""
    paths = [v.path for v in (like or model).weights]
    return {path: np.array(v) for path, v in zip(paths, model.weights, strict=True)}


def test_fine_tune_two_steps_trains_a_copy_and_leaves_the_base_alone(bank, base):
    before = weights(base)
    seen = []
    tuned = personal.fine_tune(base, takes_from(bank), bank, steps=2, batch_size=BATCH, seed=0,
                               progress=lambda step, steps, loss: seen.append((step, steps, loss)),
                               extra_negatives=[], learning_rate=1e-3)
    assert tuned is not base
    assert [s[:2] for s in seen] == [(1, 2), (2, 2)] and all(np.isfinite(s[2]) and s[2] > 0 for s in seen)
    after = weights(base)
    assert all(np.array_equal(before[k], after[k]) for k in before)  # the base is untouched
    new = weights(tuned, like=base)
    changed = {k for k in new if not np.array_equal(new[k], before[k])}
    assert any(k.startswith("gru_1") for k in changed) and any(k.startswith("activate_probability") for k in changed)
    frozen = {k for k in new if k.split("/")[0] in personal.FROZEN}
    assert frozen and not (frozen & changed)  # the filter bank and BatchNorm statistics stay
    out = tuned(np.zeros((1, Tx, n_freq), np.float32), training=False)
    assert tuple(out.shape) == (1, Ty, 1)
    longer = tuned(np.zeros((1, Tx + 400, n_freq), np.float32), training=False)  # any length, like the base
    assert tuple(longer.shape) == (1, Ty + 100, 1)


def test_fine_tune_starts_from_the_base_every_time(bank, base):
    """The compiled trainer is reused: a second fine-tune must not start where the first ended."""
    stop = threading.Event()
    stop.set()
    untouched = personal.fine_tune(base, takes_from(bank), bank, steps=3, batch_size=BATCH, stop=stop,
                                   extra_negatives=[])
    assert all(np.array_equal(a, b) for a, b in zip(untouched.get_weights(), base.get_weights()))


def test_job_trains_in_a_thread_and_gives_a_detector(bank, base):
    job = personal.FineTuneJob(base, takes_from(bank), bank, {"threshold": 0.7}, steps=1, batch_size=BATCH,
                               queue=JobQueue(1), extra_negatives=[]).start()
    job.join(240)
    assert job.state == "done", job.error
    assert job.progress == 1.0 and len(job.losses) == 1 and not job.alive
    mine = job.result
    assert mine.steps == 1 and mine.takes == 3 and mine.detector.threshold == 0.7
    assert mine.model is not base
    result = mine.detector.detect(np.zeros(SAMPLE_RATE * 2, np.float32))
    assert len(result.probabilities) > 0


def test_stop_joins_the_thread_and_keeps_nothing(bank, base):
    job = personal.FineTuneJob(base, takes_from(bank), bank, steps=200, batch_size=BATCH, queue=JobQueue(1),
                               extra_negatives=[]).start()
    for _ in range(600):
        if job.step >= 1 or job.finished:
            break
        threading.Event().wait(0.1)
    job.stop("stopped by the test")
    assert not job.alive and job.state == "stopped" and job.result is None
    assert job.step < 200 and job.message == "stopped by the test"


def test_a_queued_job_waits_its_turn_and_can_be_stopped(bank, base):
    queue = JobQueue(1)
    holder = threading.Event()

    class Holder:  # another job that holds the only slot
        stop_requested = False

        def check_idle(self):
            pass

    other = Holder()
    assert queue.acquire(other)
    job = personal.FineTuneJob(base, takes_from(bank), bank, steps=1, batch_size=BATCH, queue=queue).start()
    holder.wait(0.5)
    assert job.state == "queued" and job.ahead() == 1
    job.stop("never mind")
    assert not job.alive and job.state == "stopped" and job.step == 0
    queue.release(other)
