"""Live trigger-word detection on a stream of audio frames (the browser's microphone).

The path, frame by frame:

    push_frame (WebRTC's thread: copy the samples into a queue, nothing else)
      → worker thread: downmix to mono → StreamResampler (48 kHz → 44.1 kHz, state kept
        between frames) → RollingBuffer (the last 10 s)
      → every `hop_seconds` of new audio (or as soon as the previous run is done when the
        model is slower than that): the model on the newest 10 s window (its start on a step
        boundary). The course's model (a GRU) gets all of it: clip_probabilities, 1375 steps.
        A detector that says how much past a step needs (`context_seconds`: the spotter's
        2 s window, its confirm windows and a margin, ≈ 2.8 s) gets only the end of that
        window, from at least that much before the first step not yet decided, through
        probabilities(slice, from_step), which runs only the windows the new steps hold
        (≈ 5 of the spotter's, not 100). The slice starts a whole number of lcm(step, the
        detector's window hop) samples (3.2 s for the spotter) after the 10 s window, so its
        windows fall where the 10 s window's would and the new steps get the 10 s window's
        answers (to float noise); it is 3-6.3 s long at a 0.25 s hop (silence in front while
        the stream is younger than that), the whole 10 s only when the worker lags.
      → ChimeRule: each output step is decided once, by the first window that holds it
        (the one in which it is newest, with ≈ 10 s of past, or the slice's context), and
        the detector's refractory rule (the course's 75 steps) runs across windows, so one
        word rings once.

Nothing is dropped without being counted: every frame is queued (the queue has no bound;
the worker drains it before each model run), frames_in / frames_processed / frames_dropped /
frames_rejected (arrived after STOP) say where each one went, and steps_skipped counts output steps no window ever held (zero
unless the worker stalls for 10 s).

No streamlit here: pages/trigger_live.py wires this to streamlit-webrtc, with the connection's
settings from ui/webrtc.py.
"""
from __future__ import annotations

import bisect
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from math import ceil, gcd, lcm

import numpy as np

from core.trigger.audio import SAMPLE_RATE
from core.trigger.detect import CLIP_SAMPLES, REFRACTORY_STEPS, STEP_SAMPLES, STEP_SECONDS, detect_events
from core.trigger.synth import Ty

HOP_SECONDS = 0.25  # the model runs on the newest 10 s at least this often (when it keeps up)
MAX_CHUNK_SECONDS = 5.0  # a worker that lags runs the model at least once per 5 s of audio
IDLE_TIMEOUT = 60.0  # a worker with no frame for this long stops itself (a tab closed mid-stream)
LEVEL_SECONDS = 0.1  # the level meter's window
THREAD_PREFIX = "trigger-live"

_INT_SCALE = {"s16": 32768.0, "s32": 2.0 ** 31, "s64": 2.0 ** 63}


# --- one frame → mono float32 --------------------------------------------------------------

def to_mono(pcm: np.ndarray, sample_format: str, channels: int) -> np.ndarray:
    """One frame's samples, as PyAV's AudioFrame.to_ndarray() gives them, → float32 mono in [-1, 1].

    Packed formats ("s16", "flt", …) come as (1, samples × channels), interleaved; planar
    ones ("s16p", "fltp", …) as (channels, samples). The channels are averaged.
    """
    name = sample_format.rstrip("p") if sample_format.endswith("p") and sample_format != "p" else sample_format
    planar = name != sample_format
    pcm = np.asarray(pcm)
    if name in _INT_SCALE:
        samples = pcm.astype(np.float32) / np.float32(_INT_SCALE[name])
    elif name == "u8":
        samples = (pcm.astype(np.float32) - 128.0) / 128.0
    elif name in ("flt", "dbl"):
        samples = pcm.astype(np.float32)
    else:
        raise ValueError(f"unsupported sample format {sample_format!r}")
    channels = max(1, int(channels))
    if planar:
        samples = samples.reshape(channels, -1).mean(axis=0)
    else:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples.astype(np.float32, copy=False)


# --- resampling a stream -------------------------------------------------------------------

class StreamResampler:
    """Rational polyphase resampler (a Kaiser-windowed sinc) that keeps its state between chunks.

    Feeding a signal in any chunking gives exactly the same output as feeding it whole;
    about len × rate_out / rate_in samples come out, delayed by a fixed `delay_seconds`
    (0.7 ms: half the filter). 48 → 44.1 kHz: flat (±0.01 dB) to 18 kHz, −3.6 dB at 20 kHz,
    and what would fold back below the new Nyquist frequency is at least 55 dB down.
    """

    def __init__(self, rate_in: int, rate_out: int = SAMPLE_RATE, half_taps: int = 32, beta: float = 8.0,
                 rolloff: float = 0.92):
        if rate_in <= 0 or rate_out <= 0:
            raise ValueError("sample rates must be positive")
        self.rate_in, self.rate_out = int(rate_in), int(rate_out)
        g = gcd(self.rate_in, self.rate_out)
        self.up, self.down = self.rate_out // g, self.rate_in // g
        self.taps = 2 * half_taps  # per phase, i.e. input samples under the filter
        n = self.up * self.taps
        cutoff = rolloff * 0.5 / max(self.up, self.down)  # cycles per sample of the up-sampled grid
        j = np.arange(n) - (n - 1) / 2
        h = 2 * cutoff * np.sinc(2 * cutoff * j) * np.kaiser(n, beta) * self.up
        self._bank = np.ascontiguousarray(h.reshape(self.taps, self.up).T[:, ::-1], dtype=np.float64)
        self._history = np.zeros(self.taps - 1, dtype=np.float64)
        self._n = 0  # index of the next output sample
        self._total_in = 0
        self.delay_seconds = (n - 1) / 2 / self.up / self.rate_in
        self.passthrough = self.up == 1 and self.down == 1

    @property
    def total_in(self) -> int:
        return self._total_in

    def process(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32).reshape(-1)
        if self.passthrough:
            self._total_in += len(x)
            return x.copy()
        if len(x) == 0:
            return np.zeros(0, dtype=np.float32)
        buf = np.concatenate([self._history, x])
        base = self._total_in - (self.taps - 1)  # global index of buf[0]
        self._total_in += len(x)
        n_end = (self.up * self._total_in - 1) // self.down + 1  # outputs whose newest input has arrived
        n = np.arange(self._n, n_end, dtype=np.int64)
        position = n * self.down
        newest = position // self.up  # the newest input sample under the filter for output n
        phase = position % self.up
        index = (newest - base - (self.taps - 1))[:, None] + np.arange(self.taps)[None, :]
        y = np.einsum("ij,ij->i", buf[index], self._bank[phase])
        self._history = buf[len(buf) - (self.taps - 1):]
        self._n = n_end
        return y.astype(np.float32)


# --- the last 10 s -------------------------------------------------------------------------

class RollingBuffer:
    """The newest `capacity` samples of a stream, addressed by absolute sample index."""

    def __init__(self, capacity: int = CLIP_SAMPLES):
        self.capacity = int(capacity)
        self._data = np.zeros(self.capacity, dtype=np.float32)
        self.total = 0  # samples ever written

    def write(self, x: np.ndarray) -> None:
        x = np.asarray(x, dtype=np.float32).reshape(-1)
        if len(x) > self.capacity:  # only the newest `capacity` samples can be kept
            self.total += len(x) - self.capacity
            x = x[-self.capacity:]
        start = self.total % self.capacity
        first = min(len(x), self.capacity - start)
        self._data[start:start + first] = x[:first]
        self._data[:len(x) - first] = x[first:]
        self.total += len(x)

    @property
    def oldest(self) -> int:
        """Absolute index of the oldest sample still held."""
        return max(0, self.total - self.capacity)

    def window(self, start: int, stop: int) -> np.ndarray:
        """Samples [start, stop) by absolute index; indices before 0 read as silence.
        Raises ValueError for samples not yet written or already overwritten."""
        if stop > self.total or stop - start > self.capacity or start > stop:
            raise ValueError(f"samples [{start}, {stop}) are not in the buffer "
                             f"(it holds [{self.oldest}, {self.total}))")
        if max(start, 0) < self.oldest:
            raise ValueError(f"samples from {start} were overwritten (the oldest is {self.oldest})")
        out = np.zeros(stop - start, dtype=np.float32)
        lo = max(start, 0)
        if stop > lo:
            idx = np.arange(lo, stop) % self.capacity
            out[lo - start:] = self._data[idx]
        return out

    def last(self, n: int) -> np.ndarray:
        """The newest n samples (silence in front while fewer have arrived)."""
        return self.window(self.total - n, self.total)


# --- the course's rule across windows ------------------------------------------------------

class ChimeRule:
    """Decides each output step once and rings by the course's rule across windows.

    feed() takes a window's probabilities and the absolute step of its first one; steps
    already decided by an earlier window are skipped, so a word heard in two overlapping
    windows rings once, and a second chime needs more than refractory_steps steps after the
    previous one, wherever the window boundaries fall.
    """

    def __init__(self, refractory_steps: int = REFRACTORY_STEPS, first_step: int = 0):
        self.refractory_steps = refractory_steps
        self.next_step = first_step  # the first step not yet decided
        self.last_event: int | None = None  # absolute step of the last chime
        self.steps_skipped = 0  # steps no window held (a stalled worker)

    def feed(self, probabilities: np.ndarray, first_step: int, threshold: float):
        """→ (absolute steps that ring, the newly decided probabilities, their first step)."""
        probabilities = np.asarray(probabilities).reshape(-1)
        if first_step > self.next_step:
            self.steps_skipped += first_step - self.next_step
            self.next_step = first_step
        new = probabilities[self.next_step - first_step:]
        start = self.next_step
        last = None if self.last_event is None else self.last_event - start
        events = [start + i for i in detect_events(new, threshold, self.refractory_steps, last_step=last)]
        if events:
            self.last_event = events[-1]
        self.next_step = start + len(new)
        return events, new, start


# --- a live session: frames in, detections out ---------------------------------------------

@dataclass
class LiveDetection:
    number: int  # 1, 2, … within this run
    step: int  # absolute output step
    seconds: float  # stream time (s since the first frame) at the end of that step
    probability: float
    wall_time: float  # time.time() when the worker found it
    latency: float  # s from the step's audio reaching the server to the detection


@dataclass
class Snapshot:
    """What the page shows, copied out under the session's lock."""

    running: bool
    seconds: float  # stream time: audio received, at 44.1 kHz
    probabilities: np.ndarray  # the newest decided steps (at most 1375 = 10 s)
    first_step: int  # absolute step of probabilities[0]
    detections: list
    threshold: float
    level_dbfs: float
    stats: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def times(self) -> np.ndarray:
        """Stream time (s) at the end of each step in probabilities."""
        return (self.first_step + np.arange(len(self.probabilities)) + 1) * STEP_SECONDS


class LiveSession:
    """One browser tab's stream: a frame queue, a worker thread, a 10 s buffer, a detection log.

    push_frame() may be called from any thread (WebRTC's event loop): it only copies the
    samples into the queue and starts the worker if it is not running. start() / stop()
    can be repeated; each start begins a fresh run (buffer, counters and log), and stop()
    joins the worker and frees the buffer; frames that arrive after stop() are counted, not
    kept, until start(). The worker also stops by itself after idle_timeout seconds without
    a frame (a tab closed mid-stream); the next frame then starts a fresh run.
    """

    def __init__(self, detector, threshold: float | None = None, hop_seconds: float = HOP_SECONDS,
                 max_chunk_seconds: float = MAX_CHUNK_SECONDS, idle_timeout: float = IDLE_TIMEOUT,
                 refractory_steps: int | None = None, max_log: int = 200, clock=time.monotonic):
        if not 0 < max_chunk_seconds < CLIP_SAMPLES / SAMPLE_RATE:
            raise ValueError("max_chunk_seconds must be below the 10 s window")
        self.detector = detector
        self.threshold = float(detector.threshold if threshold is None else threshold)
        self.hop_samples = max(STEP_SAMPLES, int(round(hop_seconds * SAMPLE_RATE)))
        self.max_chunk_samples = int(max_chunk_seconds * SAMPLE_RATE)
        self.idle_timeout = idle_timeout
        # the detector's own rule (the course's 75 steps; the spotter's answers stay high longer)
        self.refractory_steps = int(getattr(detector, "refractory_steps", REFRACTORY_STEPS)
                                    if refractory_steps is None else refractory_steps)
        self.max_log = max_log
        self.clock = clock
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._queue: queue.Queue | None = None
        self._open = False  # a worker takes frames from the queue
        self._accepting = True  # push_frame may start a run (False after stop() until start())
        self._rejected_between_runs = 0
        self.runs = 0  # how many times start() began a run
        self._reset()

    # -- state ----------------------------------------------------------------------------
    def _reset(self):
        self._buffer: RollingBuffer | None = None
        self._resampler: StreamResampler | None = None
        self._rule = ChimeRule(self.refractory_steps)
        self._arrivals: deque = deque(maxlen=2048)  # (buffer total after a frame, clock at push)
        self._evaluated = 0  # buffer.total at the end of the last model window
        self._busy = False
        self._probabilities = np.zeros(Ty, dtype=np.float32)  # ring of decided steps
        self._decided = 0  # absolute step after the newest decided one
        self.detections: list[LiveDetection] = []
        self.level_dbfs = -120.0
        self.error: str | None = None
        self.stats = {"frames_in": 0, "frames_processed": 0, "frames_dropped": 0, "frames_rejected": 0,
                      "samples_in": 0, "samples_out": 0, "model_runs": 0, "model_seconds": 0.0,
                      "max_model_seconds": 0.0, "model_audio_seconds": 0.0, "last_window_seconds": 0.0,
                      "max_lag": 0.0, "last_lag": 0.0, "steps_decided": 0,
                      "steps_skipped": 0, "format": "", "format_changes": 0, "stopped_because": "",
                      "first_frame_time": None}

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> bool:
        """Begin a fresh run (buffer, counters and log) unless one is going; True if this call did.
        Also lets push_frame start runs again after stop()."""
        with self._start_lock:
            self._accepting = True
            if self._open:
                return False
            old = self._thread
            if old is not None and old is not threading.current_thread():
                old.join()  # a worker that has closed its queue is only tidying up
            with self._lock:
                self._reset()
                self.stats["frames_rejected"] = self._rejected_between_runs
                self._rejected_between_runs = 0
                self._stop_event = threading.Event()
                self._queue = queue.Queue()
                self._buffer = RollingBuffer(CLIP_SAMPLES + STEP_SAMPLES)  # windows start on a step
                self._open = True
                self.runs += 1
            self._thread = threading.Thread(target=self._work, args=(self._queue, self._stop_event),
                                            name=f"{THREAD_PREFIX}-{id(self):x}-{self.runs}", daemon=True)
            self._thread.start()
            return True

    def request_stop(self) -> None:
        """End this run without waiting (safe from WebRTC's event loop, e.g. when the track ends);
        frames that still arrive are counted as rejected until start() is called again."""
        self._accepting = False
        self._stop_event.set()
        q = self._queue
        if q is not None:
            q.put(None)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the worker and wait for it; True when no worker thread is left."""
        self.request_stop()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        return not self.running

    # -- the frame path (WebRTC's thread) ---------------------------------------------------
    def push_frame(self, frame) -> None:
        """One av.AudioFrame (or anything with to_ndarray, format.name, layout, sample_rate, samples)."""
        pcm = np.array(frame.to_ndarray(), copy=True)
        self.push((pcm, frame.format.name, len(frame.layout.channels), int(frame.sample_rate), self.clock()))

    def push(self, item) -> None:
        """Queue (pcm, sample format, channels, rate, clock time); starts a run if none is going
        (unless the session was stopped: then the frame is counted as rejected)."""
        while True:
            with self._lock:
                if not self._accepting:
                    self._rejected_between_runs += 1  # after STOP: shown with the next run's counts
                    self.stats["frames_rejected"] += 1
                    return
                if self._open:
                    if self._stop_event.is_set():
                        self.stats["frames_rejected"] += 1  # arrived while stopping: counted, not kept
                        return
                    if not self.stats["frames_in"]:
                        self.stats["first_frame_time"] = time.time()  # stream time 0, on the wall clock
                    self.stats["frames_in"] += 1
                    self._queue.put(item)  # under the lock: the worker closes the queue under it too
                    return
            self.start()

    # -- the worker -----------------------------------------------------------------------
    def _work(self, q: queue.Queue, stop: threading.Event) -> None:
        last_frame = self.clock()
        try:
            while not stop.is_set():
                got = self._drain(q, stop)
                self._busy = True
                now = self.clock()
                if got:
                    last_frame = now
                elif now - last_frame > self.idle_timeout:
                    self.stats["stopped_because"] = f"no audio for {self.idle_timeout:.0f} s"
                    break
                buffer = self._buffer
                if buffer is not None and buffer.total - self._evaluated >= self.hop_samples:
                    self._evaluate()
                self._busy = False
        except Exception as err:  # shown on the page; the worker ends cleanly
            self.error = f"{type(err).__name__}: {err}"
            self.stats["stopped_because"] = "error"
        finally:
            with self._lock:
                self._open = False  # no frame is queued after this, so the drain below sees them all
            dropped = 0
            while True:
                try:
                    item = q.get_nowait()
                except queue.Empty:
                    break
                dropped += item is not None
            with self._lock:
                self.stats["frames_dropped"] += dropped  # still queued when stopped: counted
                if not self.stats["stopped_because"]:
                    self.stats["stopped_because"] = "stopped"
                self._buffer = None  # the 10 s buffer and the resampler's state go
                self._resampler = None
                self._arrivals.clear()

    def _drain(self, q: queue.Queue, stop: threading.Event) -> int:
        """Move queued frames into the buffer, until the queue is empty or a chunk is full."""
        got = 0
        try:
            item = q.get(timeout=0.05)
        except queue.Empty:
            return 0
        self._busy = True
        while item is not None:
            self._ingest(*item)
            got += 1
            if self._buffer.total - self._evaluated >= self.max_chunk_samples:
                break
            try:
                item = q.get_nowait()
            except queue.Empty:
                break
        if got:
            level = self._buffer.last(int(LEVEL_SECONDS * SAMPLE_RATE))
            rms = float(np.sqrt(np.mean(np.square(level, dtype=np.float64))))
            self.level_dbfs = 20 * np.log10(max(rms, 1e-6))
        return got

    def _ingest(self, pcm, sample_format, channels, rate, pushed_at) -> None:
        mono = to_mono(pcm, sample_format, channels)
        if self._resampler is None or self._resampler.rate_in != rate:
            if self._resampler is not None:
                self.stats["format_changes"] += 1
            self._resampler = StreamResampler(rate, SAMPLE_RATE)
            self.stats["format"] = f"{rate} Hz, {channels} channel{'s' * (channels != 1)}, {sample_format}, " \
                                   f"{len(mono)} samples per frame"
        out = self._resampler.process(mono)
        self._buffer.write(out)
        self._arrivals.append((self._buffer.total, pushed_at))
        with self._lock:
            self.stats["frames_processed"] += 1
            self.stats["samples_in"] += len(mono)
            self.stats["samples_out"] += len(out)

    def _arrival_of(self, sample: int) -> float | None:
        """Clock time at which the frame holding absolute sample `sample` was pushed."""
        ends = [end for end, _ in self._arrivals]
        i = bisect.bisect_right(ends, sample)
        return self._arrivals[i][1] if i < len(self._arrivals) else None

    def _slice_start(self, window_start: int) -> int:
        """Where the audio given to the model begins: the 10 s window's start, or, for a detector
        with context_seconds, the latest point that many seconds before the first undecided step
        that lies a whole number of lcm(step, the detector's window hop) samples into the window."""
        context = getattr(self.detector, "context_seconds", None)
        if context is None:
            return window_start
        align = lcm(STEP_SAMPLES, int(getattr(self.detector, "window_hop_samples", None) or STEP_SAMPLES))
        wanted = self._rule.next_step * STEP_SAMPLES - ceil(context * SAMPLE_RATE)
        return window_start + max(0, (wanted - window_start) // align * align)

    def _evaluate(self) -> None:
        """The model on the newest full 10 s window (its start on a step boundary), or on the end
        of it that the undecided steps need (a detector with context_seconds)."""
        buffer = self._buffer
        window_start = (buffer.total - CLIP_SAMPLES) // STEP_SAMPLES * STEP_SAMPLES
        stop = window_start + CLIP_SAMPLES
        start = self._slice_start(window_start)  # on a step boundary, within the 10 s window
        first_step = start // STEP_SAMPLES
        oldest_new = self._arrival_of(self._evaluated)
        t0 = self.clock()
        samples = buffer.window(start, stop)
        if getattr(self.detector, "context_seconds", None) is None:  # the course's model: all 10 s
            probabilities = self.detector.clip_probabilities(samples)
        else:
            probabilities = self.detector.probabilities(samples, from_step=max(0, self._rule.next_step - first_step))
        t1 = self.clock()
        # the steps the 10 s window decides (1375 from its start), those of them in the slice
        probabilities = np.asarray(probabilities).reshape(-1)[:Ty - (start - window_start) // STEP_SAMPLES]
        threshold = self.threshold
        events, new, first = self._rule.feed(probabilities, first_step, threshold)
        found = []
        for step in events:
            arrived = self._arrival_of(min((step + 1) * STEP_SAMPLES, buffer.total - 1))
            found.append(LiveDetection(0, step, round((step + 1) * STEP_SECONDS, 3),
                                       float(probabilities[step - first_step]), time.time(),
                                       (t1 - arrived) if arrived is not None else 0.0))
        lag = (t1 - oldest_new) if oldest_new is not None else 0.0
        with self._lock:
            self._evaluated = stop
            n = len(new)  # the ring of decided steps, for the curve
            if n:
                steps = first + np.arange(n)
                keep = slice(max(0, n - Ty), n)
                self._probabilities[steps[keep] % Ty] = new[keep]
                self._decided = first + n
            for d in found:
                d.number = len(self.detections) + 1
                self.detections.append(d)
            del self.detections[:-self.max_log]
            s = self.stats
            s["model_runs"] += 1
            s["model_seconds"] += t1 - t0
            s["max_model_seconds"] = max(s["max_model_seconds"], t1 - t0)
            s["model_audio_seconds"] += len(samples) / SAMPLE_RATE
            s["last_window_seconds"] = len(samples) / SAMPLE_RATE
            s["last_lag"] = lag
            s["max_lag"] = max(s["max_lag"], lag)
            s["steps_decided"] = self._decided
            s["steps_skipped"] = self._rule.steps_skipped
        # arrivals older than the 10 s window can go
        while self._arrivals and self._arrivals[0][0] <= window_start:
            self._arrivals.popleft()

    # -- what the page reads ----------------------------------------------------------------
    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every queued frame is in the buffer and every full hop has been through
        the model (for tests and the soak script); False on timeout or if the worker stopped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                return False
            with self._lock:
                s = self.stats
                done = (s["frames_processed"] == s["frames_in"] and not self._busy
                        and (self._buffer is None or self._buffer.total - self._evaluated < self.hop_samples))
            if done:
                return True
            time.sleep(0.005)
        return False

    def snapshot(self) -> Snapshot:
        with self._lock:
            n = min(self._decided, Ty)
            first = self._decided - n
            probabilities = self._probabilities[(first + np.arange(n)) % Ty].copy()
            buffer = self._buffer
            seconds = (buffer.total if buffer is not None else self.stats["samples_out"]) / SAMPLE_RATE
            return Snapshot(self.running, seconds, probabilities, first, list(self.detections),
                            self.threshold, self.level_dbfs, dict(self.stats), self.error)


def live_threads() -> list[threading.Thread]:
    """Worker threads of every LiveSession still alive in this process."""
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]
