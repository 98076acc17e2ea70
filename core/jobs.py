"""Background jobs: work that trains in its own thread while a page keeps drawing, and the queue
that lets only a few of them use the CPU at once.

A `BackgroundJob` goes queued → preparing → training → done | stopped | failed. It waits for
a slot in a `JobQueue` (first come, first served; the server's one is `QUEUE`, with
ATTENTION_LAB_TRAINING_SLOTS slots, default 1), then runs `work()` in a daemon thread. `stop()`
asks it to end (the work checks `stop_requested` between steps); a job whose page stops asking
about it (`touch()`) for `idle_timeout` seconds stops itself, so a closed browser tab does not
hold a slot. `status()` is a consistent copy of where it stands, for a page to draw.

Live date training (core/dates/live_training.py) and the trigger word's fine-tune on a
person's voice (core/trigger/training/personal.py) are both such jobs, and share `QUEUE`:
the cores they would fight over are the same.
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque
from dataclasses import dataclass

FINISHED = ("done", "stopped", "failed")


class JobQueue:
    """At most `slots` jobs run at once; the others wait first come, first served."""

    def __init__(self, slots: int = 1):
        self.slots = max(1, int(slots))
        self._cond = threading.Condition()
        self._waiting: deque = deque()
        self._running: list = []

    def acquire(self, job) -> bool:
        """Block until `job` may run; False if it was stopped while waiting.

        `job` needs `stop_requested` and `check_idle()` (a BackgroundJob has both)."""
        with self._cond:
            self._waiting.append(job)
            try:
                while not (self._waiting[0] is job and len(self._running) < self.slots):
                    if job.stop_requested:
                        return False
                    self._cond.wait(timeout=0.25)
                    job.check_idle()
                self._running.append(job)
                return True
            finally:
                self._waiting.remove(job)
                self._cond.notify_all()

    def release(self, job) -> None:
        with self._cond:
            if job in self._running:
                self._running.remove(job)
            self._cond.notify_all()

    def ahead_of(self, job) -> int | None:
        """Jobs ahead of this one, training or waiting (None: it is not waiting)."""
        with self._cond:
            if job not in self._waiting:
                return None
            return len(self._running) + list(self._waiting).index(job)

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)


QUEUE = JobQueue(slots=int(os.environ.get("ATTENTION_LAB_TRAINING_SLOTS", "1")))


@dataclass
class JobStatus:
    """Where a job stands, copied under its lock: what a page's status line and progress bar show."""

    state: str  # queued, preparing, training, done, stopped or failed
    message: str  # what it is doing now, or why it stopped
    progress: float  # 0 … 1
    ahead: int | None  # jobs ahead of it in the queue (None unless queued)
    error: str | None
    elapsed: float  # seconds since it got its slot (until it finished)


class BackgroundJob:
    """One job in its own thread. Subclasses write `work()` and, if they can tell, `progress`.

    `work()` runs once the job has a slot: it reports with `_set(state=…, message=…)`, checks
    `stop_requested` between steps, and returns the result (None when it stopped early).
    """

    thread_name = "background-job"

    def __init__(self, queue: JobQueue | None = None, idle_timeout: float | None = 120.0):
        self.queue = queue if queue is not None else QUEUE
        self.idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stop_reason = "stopped"
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._last_touch = time.monotonic()
        self.state = "queued"
        self.message = "waiting for a free training slot"
        self.error: str | None = None
        self.result = None
        self.started_at: float | None = None  # when it got its slot
        self.finished_at: float | None = None

    # --- the work (subclasses) ----------------------------------------------------------
    def work(self):
        raise NotImplementedError

    @property
    def progress(self) -> float:
        return 1.0 if self.state == "done" else 0.0

    # --- control ------------------------------------------------------------------------
    def start(self):
        self._thread.start()
        return self

    def stop(self, reason: str = "stopped", wait: bool = False, timeout: float | None = 30.0) -> None:
        """Ask the job to end after its current step, saying why; wait=True joins the thread."""
        with self._lock:
            if not self.finished:
                self.message = self._stop_reason = reason
            self._stop.set()
        if wait and self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def touch(self) -> None:
        """Someone is still watching: postpone the idle stop."""
        self._last_touch = time.monotonic()

    def check_idle(self) -> None:
        if self.idle_timeout is not None and time.monotonic() - self._last_touch > self.idle_timeout:
            self.stop(f"stopped because nobody watched it for {self.idle_timeout:.0f} s", wait=False)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # --- what a page reads -----------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at

    def ahead(self) -> int | None:
        return self.queue.ahead_of(self) if self.state == "queued" else None

    def status(self) -> JobStatus:
        ahead = self.ahead()  # before our lock: the queue holds its own while it calls check_idle
        with self._lock:
            return self._status(ahead)

    def _status(self, ahead: int | None) -> JobStatus:
        """The status fields; the caller holds the lock."""
        return JobStatus(self.state, self.message, self.progress, ahead, self.error, self.elapsed)

    def _set(self, **fields) -> None:
        """Update fields under the lock; once stopping, the message keeps the reason."""
        with self._lock:
            if self._stop.is_set():
                fields.pop("message", None)
            for name, value in fields.items():
                setattr(self, name, value)

    # --- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        if not self.queue.acquire(self):
            with self._lock:
                self.state, self.message, self.finished_at = "stopped", self._stop_reason, time.monotonic()
            return
        try:
            self.started_at = time.monotonic()
            result = self.work()
            with self._lock:
                if result is None and self._stop.is_set():
                    self.state, self.message = "stopped", self._stop_reason
                else:
                    self.result, self.state, self.message = result, "done", "done"
        except Exception as err:  # the page shows it; the thread must not die silently
            with self._lock:
                self.state, self.error, self.message = "failed", f"{type(err).__name__}: {err}", "failed"
        finally:
            self.finished_at = time.monotonic()
            self.queue.release(self)
