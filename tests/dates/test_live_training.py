"""Live training: real code paths on tiny data (64 pairs, batch 32, a tiny model)."""
import math
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from core.dates import live_training as live
from core.dates.data import END, Ty, machine_vocab
from core.dates.decode import DateInputError
from core.dates.model import MODEL_DIR
from core.jobs import JobQueue

TINY = live.TrainingSettings(epochs=1, pairs=64, batch_size=32, dev_pairs=8, n_a=8, n_s=16)
TEXT = live.DEFAULT_TEXT


def run(settings=TINY, queue=None, timeout=300, **kwargs):
    job = live.TrainingJob(settings, queue=queue or JobQueue(1), idle_timeout=None, **kwargs)
    job.start().join(timeout)
    assert job.finished, job.view()
    return job


def wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def finished_job():
    files = sorted(p for p in MODEL_DIR.iterdir() if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    job = run(live.TrainingSettings(epochs=2, pairs=64, batch_size=32, dev_pairs=8, n_a=8, n_s=16))
    return job, before


def test_a_short_run_records_everything(finished_job):
    job, _ = finished_job
    view = job.view()
    assert view.state == "done" and view.error is None and view.progress == 1.0
    assert [e.epoch for e in view.epochs] == [0, 1, 2]
    assert view.epochs[0].loss is None
    assert all(math.isfinite(e.loss) and e.loss > 0 for e in view.epochs[1:])
    assert len(view.batch_losses) == 2 * 2  # 64 pairs / 32 per batch, two epochs
    assert [x for x, _ in view.batch_losses] == [0.5, 1.0, 1.5, 2.0]
    for e in view.epochs:
        assert 0 <= e.dev_exact <= 1 and 0 <= e.dev_chars <= 1 and 0 < e.sharpness <= 1


def test_attention_snapshots_have_one_map_per_epoch(finished_job):
    job, _ = finished_job
    snaps = job.view().snapshots
    stacked = np.stack([s.attention for s in snaps])
    assert stacked.shape == (2 + 1, Ty, len(TEXT))
    assert np.all(stacked >= 0) and np.all(stacked.sum(axis=2) <= 1 + 1e-5)
    # random weights: every input position gets about 1/Tx (a blur)
    assert stacked[0].max() < 0.2
    for s in snaps:
        assert len(s.output_tokens) == Ty and 1 <= s.shown_rows <= Ty
        assert END not in s.output_tokens[: s.shown_rows - 1]


def test_the_shipped_model_is_never_written(finished_job):
    _, before = finished_job
    after = {p: p.stat().st_mtime_ns for p in before}
    assert after == before
    assert sorted(p for p in MODEL_DIR.iterdir() if p.is_file()) == sorted(before)


def test_stop_ends_a_run_at_the_next_batch():
    settings = live.TrainingSettings(epochs=50, pairs=64, batch_size=32, dev_pairs=8, n_a=8, n_s=16)
    job = live.TrainingJob(settings, queue=JobQueue(1), idle_timeout=None).start()
    wait_for(lambda: len(job.view().batch_losses) >= 1 or job.finished)
    job.stop()
    job.join(60)
    view = job.view()
    assert view.state == "stopped" and view.message == "stopped"
    assert len(view.batch_losses) < 50 * 2 and view.progress < 1


def test_a_job_nobody_watches_stops_itself():
    settings = live.TrainingSettings(epochs=50, pairs=64, batch_size=32, dev_pairs=8, n_a=8, n_s=16)
    job = live.TrainingJob(settings, queue=JobQueue(1), idle_timeout=1.0).start()
    job.join(120)
    assert job.view().state == "stopped" and "nobody watched" in job.view().message


def test_queue_runs_one_job_at_a_time_and_reports_who_is_ahead():
    queue = JobQueue(slots=1)
    slow = live.TrainingSettings(epochs=50, pairs=64, batch_size=32, dev_pairs=8, n_a=8, n_s=16)
    first = live.TrainingJob(slow, queue=queue, idle_timeout=None).start()
    wait_for(lambda: first.view().state != "queued")
    second = live.TrainingJob(TINY, queue=queue, idle_timeout=None).start()
    third = live.TrainingJob(TINY, queue=queue, idle_timeout=None).start()
    wait_for(lambda: queue.waiting == 2)
    time.sleep(0.5)
    assert second.view().state == "queued" and second.view().ahead == 1
    assert third.view().state == "queued" and third.view().ahead == 2
    assert queue.running == 1
    third.stop()  # leaving the queue frees the place
    third.join(10)
    assert third.view().state == "stopped" and not third.view().epochs
    first.stop()
    second.join(300)
    assert second.view().state == "done" and first.view().state == "stopped"
    assert queue.running == 0 and queue.waiting == 0


def test_two_slots_let_two_jobs_train_together():
    queue = JobQueue(slots=2)
    jobs = [live.TrainingJob(TINY, queue=queue, idle_timeout=None) for _ in range(2)]
    peak = []

    def watch():
        while not all(j.finished for j in jobs):
            peak.append(queue.running)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    for job in jobs:
        job.start()
    watcher.start()
    for job in jobs:
        job.join(300)
    watcher.join()
    assert [j.view().state for j in jobs] == ["done", "done"]
    assert max(peak) == 2


@pytest.mark.parametrize("text", ["", "   ", "1" * 49])
def test_bad_watch_text_is_refused_before_anything_runs(text):
    with pytest.raises(DateInputError):
        live.TrainingJob(live.TrainingSettings(watch_text=text))


def test_small_models_have_the_requested_sizes():
    model, encoder, step = live.build_small_models(n_a=8, n_s=16)
    assert encoder.output_shape[-1] == 16
    assert [tuple(s) for s in step.output_shape[1:3]] == [(None, 16), (None, 16)]
    assert model.output_shape == (None, Ty, len(machine_vocab))


def test_presets_and_sharpness():
    assert live.DEFAULT_PRESET in live.PRESETS
    assert all(p.watch_text == TEXT for p in live.PRESETS.values())
    assert live.settings_for(live.DEFAULT_PRESET, epochs=3).epochs == 3
    assert live.sharpness(np.full((11, 48), 1 / 48)) == pytest.approx(1 / 48)
    assert live.sharpness(np.eye(11, 48)) == 1.0
