"""From audio to "activate was said here": probabilities, detections, and the chime.

The course's view is one 10 s clip (preprocess_audio pads or trims to 10 s) → 1375
probabilities. Audio of any length is cut into full 10 s windows that overlap by about half (the last one
ends where the audio ends); each output step takes its probability from a window in which
the GRU has heard at least 5 s before it (as in training), except at the very start.
A detection is where the probability rises above the threshold, at least
REFRACTORY_STEPS output steps after the previous one: the course's chime_on_activate rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.trigger.audio import SAMPLE_RATE, AudioError, read_audio
from core.trigger.declip import FULL_SCALE
from core.trigger.spectrogram import graph_spectrogram, n_frames
from core.trigger.synth import BACKGROUND_MS, TARGET_DBFS, Ty, match_target_amplitude, overlay

CLIP_SAMPLES = SAMPLE_RATE * BACKGROUND_MS // 1000  # 441000
STEP_SAMPLES = 4 * 80  # the Conv1D's stride 4 over spectrogram columns 80 samples apart
STEP_SECONDS = STEP_SAMPLES / SAMPLE_RATE  # 7.26 ms (the course's labels round it to 10 s / 1375)
REFRACTORY_STEPS = 75  # the course: no second chime within 75 output steps (≈ 0.55 s)
DEFAULT_THRESHOLD = 0.5  # the course's; the trained model's card may override it
MIN_SECONDS = 0.5
MAX_SECONDS = 15 * 60  # longer files are refused: a page would wait minutes


def output_steps(n_samples: int) -> int:
    """Output steps the model gives for n_samples of audio (441000 → 1375)."""
    return (n_frames(n_samples) - 15) // 4 + 1


def preprocess_audio(samples: np.ndarray) -> np.ndarray:
    """The course's preprocess_audio: pad with silence or trim to exactly 10 s (mono, 44.1 kHz)."""
    samples = np.asarray(samples, dtype=np.float32)[:CLIP_SAMPLES]
    return np.pad(samples, (0, CLIP_SAMPLES - len(samples)))


def features(samples: np.ndarray) -> np.ndarray:
    """Samples → the model's input (frames, 101): the course's x transposed, at −20 dBFS in
    int16 units as every training example is."""
    level = match_target_amplitude(samples, TARGET_DBFS) if np.any(samples) else samples
    pcm = np.clip(np.round(level * 32767.0), -32768, 32767)
    return graph_spectrogram(pcm).T.astype(np.float32)


# Samples at full scale that make a recording "clipped": even a few hundred in 10 s (the proxy's
# judged mixes, a median of 548) cost the spotter 10-14 points of real people at one threshold
# (0-4 at equal false alarms: unclipped audio rings more too; README, "Clipping");
# a recording that never clips has none, one that touches full scale once has a handful.
CLIPPED_SAMPLES_NOTED = 20  # at least this many samples at full scale get the note
CLIPPED_NOTE = "the recording is clipped (too loud)"  # how that note begins


def check_audio(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[str]:
    """Warnings a person should see next to the result (the audio is still analysed)."""
    notes = []
    seconds = len(samples) / sample_rate
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak == 0.0:
        notes.append("the recording is silent: there is nothing to hear")
    elif peak < 10 ** (-50 / 20):
        notes.append("the recording is very quiet (peak below −50 dBFS)")
    clipped = int(np.count_nonzero(np.abs(samples) >= FULL_SCALE)) if len(samples) else 0
    if clipped >= CLIPPED_SAMPLES_NOTED:
        notes.append(f"{CLIPPED_NOTE}: {clipped:,} samples at full scale. Clipped words "
                     "are heard less often (real people on the real-voice proxy, at one threshold: 70–75% clipped "
                     "against 84–85% unclipped); record further from the microphone or turn its gain down")
    if seconds < 1.0:
        notes.append(f"the recording is only {seconds:.1f} s long; it was padded with silence")
    return notes


def detect_events(probabilities: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
                  refractory_steps: int = REFRACTORY_STEPS, last_step: int | None = None) -> list[int]:
    """Output steps where the probability goes above threshold, the course's rule:
    a step fires if it is above threshold and more than refractory_steps after the last firing.

    last_step: the step of a detection before these probabilities began (negative), so that
    a stream cut into windows rings once per word.
    """
    events = []
    consecutive = refractory_steps + 1 if last_step is None else -last_step - 1
    for i, p in enumerate(np.asarray(probabilities).reshape(-1)):
        consecutive += 1
        if p > threshold and consecutive > refractory_steps:
            events.append(i)
            consecutive = 0
    return events


def chime_on_activate(samples: np.ndarray, events_seconds, chime: np.ndarray) -> np.ndarray:
    """The course's chime_on_activate: overlay the chime at each detection (same length out)."""
    out = np.asarray(samples, dtype=np.float32).copy()
    for t in events_seconds:
        out = overlay(out, chime, int(round(t * 1000)))
    return np.clip(out, -1.0, 1.0)


@dataclass
class Detection:
    """What one file or recording gave: probabilities (one per output step), detection times."""

    probabilities: np.ndarray
    detections: list = field(default_factory=list)  # seconds from the start
    threshold: float = DEFAULT_THRESHOLD
    seconds: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def max_probability(self) -> float:
        return float(self.probabilities.max()) if len(self.probabilities) else 0.0

    @property
    def times(self) -> np.ndarray:
        """Seconds at the end of each output step."""
        return (np.arange(len(self.probabilities)) + 1) * STEP_SECONDS


class TriggerDetector:
    """A trained model with the course's preprocessing; thread-safe for reading."""

    context_seconds = None  # the live stream gives the GRU the whole 10 s (core.trigger.stream)

    def __init__(self, model, config: dict | None = None):
        self.model = model
        self.config = config or {}
        self.threshold = float(self.config.get("threshold", DEFAULT_THRESHOLD))
        self.refractory_steps = int(self.config.get("refractory_steps", REFRACTORY_STEPS))
        self._predict = None

    @classmethod
    def load(cls, directory=None):
        from core.trigger import model as trigger_model

        model, config = trigger_model.load(directory or trigger_model.MODEL_DIR)
        return cls(model, config)

    def compiled(self):
        """The model as one tf.function (made on first use), for inference."""
        if self._predict is None:
            import tensorflow as tf

            self._predict = tf.function(lambda batch: self.model(batch, training=False), reduce_retracing=True)
        return self._predict

    def _run(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.compiled()(x[None])).reshape(-1)

    def clip_probabilities(self, samples: np.ndarray) -> np.ndarray:
        """The course's view: 10 s (padded or trimmed) → Ty = 1375 probabilities."""
        return self._run(features(preprocess_audio(samples)))

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Any length: one probability per output step (STEP_SAMPLES = 320 samples), as one pass
        of the model over the whole audio would give, but from 10 s windows that overlap by half."""
        samples = np.asarray(samples, dtype=np.float32)
        n_out = max(1, output_steps(len(samples)))
        if len(samples) <= CLIP_SAMPLES:
            return self.clip_probabilities(samples)[:n_out]
        hop_steps = Ty // 2  # 687 output steps ≈ 4.99 s; windows start on a step boundary
        last = (len(samples) - CLIP_SAMPLES) // STEP_SAMPLES  # the last full window ends at the end
        starts = list(range(0, last + 1, hop_steps))
        if starts[-1] != last:
            starts.append(last)
        out = np.zeros(n_out, dtype=np.float32)
        for k, first in enumerate(starts):
            window = self.clip_probabilities(samples[first * STEP_SAMPLES:first * STEP_SAMPLES + CLIP_SAMPLES])
            keep_from = 0 if k == 0 else Ty - hop_steps  # keep steps with ≥ 5 s of past in the window
            stop = min(n_out, first + Ty)
            out[first + keep_from:stop] = window[keep_from:stop - first]
        return out

    def detect(self, samples: np.ndarray, threshold: float | None = None,
               sample_rate: int = SAMPLE_RATE) -> Detection:
        """Probabilities and detections for mono float samples at 44.1 kHz."""
        threshold = self.threshold if threshold is None else float(threshold)
        seconds = len(samples) / sample_rate
        if seconds > MAX_SECONDS:
            raise AudioError(f"the recording is {seconds / 60:.1f} minutes long; "
                             f"the lab analyses at most {MAX_SECONDS // 60} minutes")
        notes = check_audio(samples, sample_rate)
        probabilities = self.probabilities(samples)
        events = detect_events(probabilities, threshold, self.refractory_steps)
        return Detection(probabilities, [round((i + 1) * STEP_SECONDS, 3) for i in events],
                         threshold, seconds, notes)

    def detect_file(self, source, threshold: float | None = None) -> Detection:
        """A WAV path, bytes or file object → Detection; AudioError with a plain message if unreadable."""
        return self.detect(read_audio(source), threshold)
