"""Background jobs: the lifecycle every training page relies on, with jobs that train nothing."""
import threading

import pytest

from core.jobs import BackgroundJob, JobQueue


class Steps(BackgroundJob):
    """Counts up to `steps`, waiting on `go` before each step; returns the count."""

    def __init__(self, steps=3, fail=False, **kwargs):
        super().__init__(**kwargs)
        self.steps, self.fail, self.done_steps = steps, fail, 0
        self.go = threading.Event()

    @property
    def progress(self):
        return self.done_steps / self.steps

    def work(self):
        self._set(state="training", message="training")
        for _ in range(self.steps):
            while not self.go.wait(0.01):
                self.check_idle()
                if self.stop_requested:
                    return None
            if self.fail:
                raise RuntimeError("out of ideas")
            self.done_steps += 1
        return self.done_steps


def test_a_job_runs_to_done_with_its_result():
    job = Steps(queue=JobQueue(1)).start()
    job.go.set()
    job.join(10)
    status = job.status()
    assert (status.state, status.message, status.progress, status.error) == ("done", "done", 1.0, None)
    assert job.result == 3 and job.finished and not job.alive and status.elapsed >= 0


def test_stopping_keeps_the_reason_and_no_result():
    job = Steps(queue=JobQueue(1)).start()
    job.stop("stopped by you", wait=True, timeout=10)
    assert job.status().state == "stopped" and job.status().message == "stopped by you" and job.result is None


def test_a_failure_is_reported_not_raised():
    job = Steps(fail=True, queue=JobQueue(1)).start()
    job.go.set()
    job.join(10)
    assert job.status().state == "failed" and job.status().error == "RuntimeError: out of ideas"


def test_a_job_nobody_watches_stops_itself():
    job = Steps(queue=JobQueue(1), idle_timeout=0.05).start()
    job.join(10)
    assert job.status().state == "stopped" and "nobody watched it for 0 s" in job.status().message


@pytest.mark.parametrize("slots", [1, 2])
def test_the_queue_lets_slots_jobs_run_and_the_rest_wait_their_turn(slots):
    queue = JobQueue(slots)
    jobs = [Steps(queue=queue).start() for _ in range(slots + 2)]
    while queue.running < slots or queue.waiting < 2:
        threading.Event().wait(0.01)
    assert [j.ahead() for j in jobs[slots:]] == [slots, slots + 1]
    assert [j.status().state for j in jobs[slots:]] == ["queued", "queued"]
    jobs[-1].stop("never mind", wait=True, timeout=10)  # leaving the queue frees its place
    assert jobs[-1].status().state == "stopped" and queue.waiting == 1
    for job in jobs:
        job.go.set()
    for job in jobs:
        job.join(10)
    assert [j.status().state for j in jobs] == ["done"] * (slots + 1) + ["stopped"]
    assert queue.running == queue.waiting == 0
