"""Teach the detector your voice: check a person's takes, fine-tune a copy of the model on them.

A take is one recording of someone saying the trigger word. `inspect_take` finds the word
(frames that stand out from the recording's own noise floor), trims the silence around it and
says in plain words what is wrong, if anything: silence, too quiet, clipped, too long, too
short. Accepted takes are stored at the bank's level (−20 dBFS), as every bank clip is;
`take_in` does that for the takes a page receives (and refuses repeats and unreadable audio).

`fine_tune` never touches the model it is given: it builds a fresh copy of the course's
model, copies the weights in, freezes the convolution and every BatchNorm (a few dozen
steps on one person's voice must not move the statistics the whole model relies on) and
trains the two GRUs and the output layer at a low learning rate on examples made the
course's way (`make_example`): the person's takes, augmented, are the activates; the bank's
negatives, real recorded words and pieces of the person's own takes ("acti…", "…vate") are
the negatives, so the copy learns *this voice saying the whole word*, not *this voice*;
all over the bank's backgrounds and generated ones.

`FineTuneJob` runs that in a background thread (a core.jobs.BackgroundJob) with progress and
a stop button; it waits its turn in the server's training queue, shared with the date page's
live training (the two cores are the same). The result lives in memory only; models/trigger is
never written.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from core.jobs import BackgroundJob
from core.trigger.audio import SAMPLE_RATE, AudioError, read_audio, resample, wav_bytes
from core.trigger.synth import BACKGROUND_MS, n_freq
from core.trigger.voicebank.bank import CLIP_DBFS, at_dbfs, real_negatives

MIN_TAKES, MAX_TAKES = 3, 5
MAX_SPEECH_SECONDS = 2.5  # "activate" takes about 0.6–1.2 s; more than this is a sentence
MIN_SPEECH_SECONDS = 0.25
SILENT_PEAK_DBFS = -60.0  # below this there is nothing to hear
QUIET_PEAK_DBFS = -35.0  # a word said at a normal distance from a laptop peaks near −20 to −6 dBFS
CLIP_LEVEL = 0.99
CLIPPED_FRACTION = 0.0005  # of the word's samples at full scale
STANDS_OUT_DB = 15.0  # the loudest 10 ms must be this far above the recording's noise floor
FRAME_MS = 10
PAD_MS = 30  # kept around the word when trimming

STEPS, BATCH_SIZE = 24, 16  # ≈ a minute on a 2-core CPU: make 16 examples + one step ≈ 2.5 s
LEARNING_RATE = 1e-4
REAL_NEGATIVES_PER_WORD = 8  # 18 words × 8 = 144 real recordings, read in under a second
GENERATED_BACKGROUNDS = 8
PIECE_SHARE = 0.5  # about this share of negative draws are pieces of the person's own takes
PIECE_CUTS = (0.4, 0.55, 0.7)
PIECE_EXTRAS = True  # also the take reversed and with its halves swapped
NEGATIVES_PER_EXAMPLE = (1, 3)  # the course draws 0–2
COMPILING = ("compiling the training step (once per server: about 40 s on two cores; "
             "every later fine-tune starts at once)")
FROZEN = ("conv", "conv_bn", "gru_1_bn", "gru_2_bn")  # the filter bank and all BatchNorm


# ----------------------------------------------------------------------------- takes
@dataclass
class TakeCheck:
    """What inspect_take found: problems (empty: a good take) and the trimmed word."""

    problems: list
    clip: np.ndarray  # the word, trimmed, at 44.1 kHz and CLIP_DBFS (empty if there is none)
    seconds: float  # length of the whole recording
    speech_seconds: float  # length of the word after trimming
    peak_dbfs: float

    @property
    def ok(self) -> bool:
        return not self.problems


def _frame_db(samples: np.ndarray, rate: int) -> np.ndarray:
    hop = max(1, rate * FRAME_MS // 1000)
    n = len(samples) // hop
    if n == 0:
        return np.zeros(0)
    frames = samples[:n * hop].reshape(n, hop).astype(np.float64)
    return 20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-10)


def speech_bounds(samples: np.ndarray, rate: int = SAMPLE_RATE) -> tuple[int, int, float]:
    """(start, stop, how far the loudest frame stands above the floor, dB) of the sound in a take.

    The floor is the 10th percentile of 10 ms frame levels; a frame is sound if it is within
    40 dB of the loudest and at least 8 dB above the floor, so a noisy room is cut too.
    """
    levels = _frame_db(samples, rate)
    if len(levels) == 0:
        return 0, len(samples), 0.0
    peak, floor = float(levels.max()), float(np.percentile(levels, 10))
    loud = np.flatnonzero(levels >= max(peak - 40.0, floor + 8.0))
    if len(loud) == 0:  # steady noise: nothing stands 8 dB above the floor
        return 0, len(samples), peak - floor
    hop = max(1, rate * FRAME_MS // 1000)
    pad = int(PAD_MS * rate / 1000)
    start = max(0, int(loud[0]) * hop - pad)
    stop = min(len(samples), (int(loud[-1]) + 1) * hop + pad)
    return start, stop, peak - floor


def inspect_take(samples, sample_rate: int = SAMPLE_RATE) -> TakeCheck:
    """Check one take and cut the word out of it (see the module's docstring)."""
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    seconds = len(samples) / sample_rate
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    peak_db = 20 * np.log10(peak) if peak > 0 else -np.inf
    empty = np.zeros(0, np.float32)
    if peak_db < SILENT_PEAK_DBFS:
        return TakeCheck(["silence: nothing was heard (is the right microphone selected, and unmuted?)"],
                         empty, seconds, 0.0, peak_db)
    start, stop, contrast = speech_bounds(samples, sample_rate)
    word = samples[start:stop]
    speech_seconds = len(word) / sample_rate
    problems = []
    if contrast < STANDS_OUT_DB and seconds >= 0.5:
        problems.append("silence: no word stands out from the background noise (say it louder, "
                        "or move away from the noise)")
    if peak_db < QUIET_PEAK_DBFS:
        problems.append(f"too quiet: the loudest moment is {peak_db:.0f} dBFS (speak up or move "
                        f"closer to the microphone; aim for about −20 to −6 dBFS)")
    if problems:  # redo it before anything else matters
        return TakeCheck(problems, empty, seconds, speech_seconds, peak_db)
    if np.mean(np.abs(word) >= CLIP_LEVEL) > CLIPPED_FRACTION:
        problems.append("clipped: it was too loud and the peaks were cut off (move back a little "
                        "or speak more softly)")
    if speech_seconds > MAX_SPEECH_SECONDS:
        problems.append(f"too long: {speech_seconds:.1f} s of sound (say only the word, with a moment "
                        f"of silence before and after; at most {MAX_SPEECH_SECONDS:.1f} s)")
    elif speech_seconds < MIN_SPEECH_SECONDS:
        problems.append(f"too short: only {speech_seconds * 1000:.0f} ms of sound (say the whole word)")
    clip = resample(word, sample_rate, SAMPLE_RATE) if sample_rate != SAMPLE_RATE else word.copy()
    return TakeCheck(problems, at_dbfs(clip, CLIP_DBFS) if len(clip) else empty, seconds,
                     speech_seconds, peak_db)


def check_take(samples, sample_rate: int = SAMPLE_RATE) -> list[str]:
    """Problems with one take, in plain words; [] for a good take (trimming silence first)."""
    return inspect_take(samples, sample_rate).problems


def take_in(takes: list, incoming, last_id: int) -> tuple[list, list, int]:
    """Check each (name, audio bytes) a person gave and append the good ones to `takes`, as
    dicts: id, clip (the trimmed word), wav, seconds (of speech), peak (dBFS), digest. A take
    given before, or one beyond MAX_TAKES, is only noted.

    Returns (notes, rejects, the last id given): notes are (kind, text), kind "success" or
    "info"; rejects are (name, problems, a WAV of its first 10 s, or None if unreadable).
    """
    notes, rejects = [], []
    for name, data in incoming:
        digest = hashlib.sha1(data).hexdigest()
        if any(t["digest"] == digest for t in takes):
            notes.append(("info", f"{name}: you already gave this take."))
            continue
        if len(takes) >= MAX_TAKES:
            notes.append(("info", f"{name}: {MAX_TAKES} takes are enough; delete one to add another."))
            continue
        try:
            samples = read_audio(data)
        except AudioError as err:
            rejects.append((name, [f"it could not be read: {err}"], None))
            continue
        check = inspect_take(samples)
        if check.ok:
            last_id += 1
            takes.append(dict(id=last_id, clip=check.clip, wav=wav_bytes(samples), seconds=check.speech_seconds,
                              peak=check.peak_dbfs, digest=digest))
            notes.append(("success", f"Take {len(takes)} accepted: {check.speech_seconds:.2f} s of speech, "
                                     f"peak {check.peak_dbfs:.0f} dBFS."))
        else:
            rejects.append((name, check.problems, wav_bytes(samples[:SAMPLE_RATE * 10])))
    return notes, rejects, last_id


def _fade(piece: np.ndarray, fade: int) -> np.ndarray:
    piece = np.array(piece, dtype=np.float32)
    if len(piece) >= 4 * fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        piece[:fade] *= ramp
        piece[-fade:] *= ramp[::-1]
    return piece


def take_pieces(clip: np.ndarray, rate: int = SAMPLE_RATE, cuts=PIECE_CUTS, extras: bool = PIECE_EXTRAS) -> list[np.ndarray]:
    """Negatives in the person's own voice, so the copy must learn the whole word, not the voice:
    the start of the word up to each cut ("ac…", "acti…", "activ…") and the rest after it
    ("…ate", "…vate", "…tivate", which is how "motivate" ends), plus, with extras, the take
    backwards and its two halves swapped ("vate-acti"): the same voice, not the word.
    Each piece fades in and out over 10 ms."""
    fade = int(0.01 * rate)
    pieces = []
    for cut in cuts:
        at = int(cut * len(clip))
        pieces += [clip[:at], clip[at:]]
    if extras:
        half = int(0.55 * len(clip))
        pieces += [clip[::-1], np.concatenate([clip[half:], clip[:half]])]
    return [_fade(p, fade) for p in pieces if len(p) >= 4 * fade]


def make_batch(data: "TrainingData", batch_size: int, rng: np.random.Generator, augmenter=None):
    """X (b, 5511, 101), Y (b, 1375, 1): the course's create_training_example, with the course's
    0–4 activates and NEGATIVES_PER_EXAMPLE negatives (more than its 0–2: the person's voice is
    in every activate, so their own pieces must come up often as negatives)."""
    from core.trigger.training import dataset

    return dataset.make_batch(data.activates, data.negatives, data.backgrounds, batch_size, rng, augmenter,
                              negatives_per_example=NEGATIVES_PER_EXAMPLE)


# ----------------------------------------------------------------------------- fine-tuning
@lru_cache(maxsize=2)
def default_real_negatives(per_word: int = REAL_NEGATIVES_PER_WORD) -> tuple:
    """A few real recorded words per folder of shared/data/real_speech (() if it is absent)."""
    return tuple(real_negatives(per_word=per_word))


@dataclass
class TrainingData:
    activates: list
    negatives: list
    backgrounds: list
    pieces: int = 0
    real: int = 0


def training_data(takes, bank, extra_negatives=None, seed: int = 0,
                  generated_backgrounds: int = GENERATED_BACKGROUNDS) -> TrainingData:
    """Activates, negatives and backgrounds for fine-tuning (see the module's docstring).

    extra_negatives: real recorded words; None reads a few from shared/data/real_speech.
    """
    from core.trigger.training.dataset import generated_backgrounds as make_backgrounds

    takes = [np.asarray(t, dtype=np.float32) for t in takes]
    if not takes:
        raise ValueError("no takes to learn from")
    real = list(default_real_negatives() if extra_negatives is None else extra_negatives)
    others = list(bank.negatives) + real
    pieces = [p for take in takes for p in take_pieces(take)]
    repeat = max(1, int(round(PIECE_SHARE * len(others) / max(1, (1 - PIECE_SHARE) * len(pieces)))))
    babble = [(clip, SAMPLE_RATE) for clip in bank.negatives]
    backgrounds = list(bank.backgrounds)
    if generated_backgrounds:
        backgrounds += make_backgrounds(generated_backgrounds, seed, babble)
    if not backgrounds:
        raise ValueError("the bank has no backgrounds")
    return TrainingData(takes, others + pieces * repeat, backgrounds, len(pieces), len(real))


def _dropout_of(model) -> float:
    from core.trigger.model import DROPOUT

    try:
        return float(model.get_layer("conv_dropout").rate)
    except (ValueError, AttributeError):
        return DROPOUT


def copy_model(base_model, weights=None):
    """A new model with the base's architecture (any input length) and a copy of its weights
    (or of `weights`, a list as get_weights gives)."""
    from core.trigger.model import build_model

    model = build_model((None, n_freq), dropout=_dropout_of(base_model))
    model.set_weights([np.array(w) for w in (base_model.get_weights() if weights is None else weights)])
    return model


def _stopped(stop) -> bool:
    if stop is None:
        return False
    return stop.is_set() if hasattr(stop, "is_set") else bool(stop())


class Trainer:
    """A model, an Adam optimizer and a compiled training step for one batch size, reused.

    On a 2-core CPU the first call of the compiled step takes about 40 s (TensorFlow builds
    the gradient of the GRUs' loop over 1375 steps), every later one under 2 s; so each
    process keeps one Trainer per (batch size, dropout) and every fine-tune resets its
    weights and optimizer instead of compiling again. Use it through `trainer()`, which
    hands it to one caller at a time.
    """

    def __init__(self, batch_size: int, dropout: float):
        import keras
        import tensorflow as tf

        from core.trigger.model import build_model
        from core.trigger.synth import Tx, Ty

        self.batch_size = batch_size
        self.model = build_model((Tx, n_freq), dropout=dropout)
        for name in FROZEN:
            self.model.get_layer(name).trainable = False
        self.optimizer = keras.optimizers.Adam(LEARNING_RATE)
        self.optimizer.build(self.model.trainable_variables)
        loss_fn = keras.losses.BinaryCrossentropy()
        model, optimizer = self.model, self.optimizer

        @tf.function(input_signature=[tf.TensorSpec((batch_size, Tx, n_freq), tf.float32),
                                      tf.TensorSpec((batch_size, Ty, 1), tf.float32)])
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        self._step = train_step
        self.compiled = False

    def reset(self, weights, learning_rate: float) -> None:
        """Start again from `weights` with a fresh optimizer state."""
        self.model.set_weights(weights)
        for variable in self.optimizer.variables:
            if variable.path.endswith("learning_rate"):
                continue
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
        self.optimizer.learning_rate = learning_rate

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        loss = float(self._step(x, y))
        self.compiled = True
        return loss


_TRAINERS: dict = {}
_TRAINERS_LOCK = threading.Lock()


def trainer_lock(batch_size: int, dropout: float) -> tuple[threading.Lock, dict]:
    """(lock, slot) for the Trainer of this batch size and dropout; slot["trainer"] is None
    until the first holder of the lock builds it."""
    with _TRAINERS_LOCK:
        return _TRAINERS.setdefault((int(batch_size), round(float(dropout), 4)),
                                    (threading.Lock(), {"trainer": None}))


def is_compiled(batch_size: int = BATCH_SIZE, dropout: float | None = None) -> bool:
    """True once this process has compiled the training step for this batch size."""
    from core.trigger.model import DROPOUT

    key = (int(batch_size), round(float(DROPOUT if dropout is None else dropout), 4))
    with _TRAINERS_LOCK:
        slot = _TRAINERS.get(key)
    return bool(slot and slot[1]["trainer"] is not None and slot[1]["trainer"].compiled)


def warm_up(batch_size: int = BATCH_SIZE, dropout: float | None = None, wait: bool = False):
    """Compile the training step now, in a background thread (one step on silence; the
    weights are reset before any real fine-tune). Returns the thread, or None if the step is
    compiled already or being compiled."""
    from core.trigger.model import DROPOUT
    from core.trigger.synth import Tx, Ty

    dropout = DROPOUT if dropout is None else dropout
    lock, slot = trainer_lock(batch_size, dropout)
    if is_compiled(batch_size, dropout) or lock.locked():
        return None

    def run():
        with lock:
            if slot["trainer"] is None:
                slot["trainer"] = Trainer(batch_size, dropout)
            if not slot["trainer"].compiled:
                slot["trainer"].step(np.zeros((batch_size, Tx, n_freq), np.float32),
                                     np.zeros((batch_size, Ty, 1), np.float32))

    thread = threading.Thread(target=run, name="trigger-fine-tune-warm-up", daemon=True)
    thread.start()
    if wait:
        thread.join()
    return thread


def fine_tune(base_model, takes, bank, steps: int = STEPS, batch_size: int = BATCH_SIZE, seed: int = 0,
              progress=None, stop=None, learning_rate: float = LEARNING_RATE, extra_negatives=None,
              augmenter=None, data: TrainingData | None = None, on_compile=None):
    """A NEW Keras model: a copy of base_model fine-tuned on the person's takes.

    takes: trimmed clips at 44.1 kHz (TakeCheck.clip). bank: a Bank (negatives, backgrounds).
    progress(step, steps, loss) after each step; stop: an Event (or a callable) that ends
    training after the current step; on_compile() is called before a first step that has
    to compile. base_model is only read: its weights are copied into this process's
    Trainer, trained there, and copied out into a new model.
    """
    from core.trigger.voicebank.augment import Augmenter
    data = data or training_data(takes, bank, extra_negatives, seed)
    augmenter = augmenter or Augmenter()
    dropout = _dropout_of(base_model)
    base_weights = [np.array(w) for w in base_model.get_weights()]
    lock, slot = trainer_lock(batch_size, dropout)
    with lock:
        if slot["trainer"] is None:
            slot["trainer"] = Trainer(batch_size, dropout)
        trainer = slot["trainer"]
        trainer.reset(base_weights, learning_rate)
        for step in range(steps):
            if _stopped(stop):
                break
            rng = np.random.default_rng([seed, step])
            x, y = make_batch(data, batch_size, rng, augmenter)
            if not trainer.compiled and on_compile is not None:
                on_compile()
            loss = trainer.step(x, y)
            if progress is not None:
                progress(step + 1, steps, loss)
        weights = trainer.model.get_weights()
    return copy_model(base_model, weights)


# ----------------------------------------------------------------------------- the job
@dataclass
class PersonalModel:
    """A fine-tuned copy, ready to detect; lives in one session's memory only."""

    detector: object  # a TriggerDetector around the fine-tuned model
    takes: int
    steps: int
    seconds: float
    losses: list = field(default_factory=list)
    word: str = "activate"

    @property
    def model(self):
        return self.detector.model


class FineTuneJob(BackgroundJob):
    """One fine-tune in its own thread: `start()`, then read `status()`, `step` and `losses`;
    `stop()` joins. States: queued → preparing → training → done | stopped | failed. When done,
    `result` is a PersonalModel. A job nobody `touch()`es for idle_timeout seconds stops itself.
    """

    thread_name = "trigger-fine-tune"

    def __init__(self, base_model, takes, bank, config: dict | None = None, steps: int = STEPS,
                 batch_size: int = BATCH_SIZE, seed: int = 0, queue=None, idle_timeout: float | None = 180.0,
                 extra_negatives=None, learning_rate: float = LEARNING_RATE):
        super().__init__(queue, idle_timeout)
        self.base_model, self.takes, self.bank = base_model, [np.array(t) for t in takes], bank
        self.config = dict(config or {})
        self.steps, self.batch_size, self.seed = int(steps), int(batch_size), seed
        self.learning_rate, self.extra_negatives = learning_rate, extra_negatives
        self.step, self.losses = 0, []

    def stop(self, reason: str = "stopped", wait: bool = True, timeout: float | None = 30.0) -> None:
        """BackgroundJob.stop, waiting for the thread by default: once it returns, nothing trains on."""
        super().stop(reason, wait, timeout)

    @property
    def progress(self) -> float:
        return min(1.0, self.step / self.steps) if self.steps else 1.0

    # --- the thread -------------------------------------------------------------------------
    def _compiling(self) -> None:
        with self._lock:
            self.message = COMPILING

    def _on_step(self, step: int, steps: int, loss: float) -> None:
        with self._lock:
            self.step = step
            self.losses.append(loss)
            if not self._stop.is_set():  # a step that ends after stop() must not hide its reason
                self.state, self.message = "training", "training"
        self.check_idle()

    def work(self) -> PersonalModel | None:
        with self._lock:
            self.state, self.message = "preparing", "mixing your takes into training examples"
        data = training_data(self.takes, self.bank, self.extra_negatives, self.seed)
        if not is_compiled(self.batch_size, _dropout_of(self.base_model)):
            self._compiling()
        model = fine_tune(self.base_model, self.takes, self.bank, self.steps, self.batch_size, self.seed,
                          progress=self._on_step, stop=self._stop, learning_rate=self.learning_rate,
                          data=data, on_compile=self._compiling)
        if self.stop_requested:
            return None
        from core.trigger.detect import TriggerDetector

        detector = TriggerDetector(model, self.config)
        with self._lock:
            self.message = "warming up"
        detector.clip_probabilities(np.zeros(SAMPLE_RATE * BACKGROUND_MS // 1000, np.float32))
        return PersonalModel(detector, len(self.takes), self.step, time.monotonic() - self.started_at,
                             list(self.losses))
