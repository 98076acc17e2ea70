"""Train a small, fresh date translator in a background thread and watch attention form.

A `TrainingJob` builds its own small copy of the course's model (the layers of
core/dates/model.py, with fewer units), trains it on a small generated data set with a
plain `tf.function` loop, and after every epoch (and once before the first) records:

- the training loss of every batch (the live curve),
- exact-match and per-character accuracy of greedy decoding on a small fixed dev set,
- the attention map of one chosen input, so the page can replay it epoch by epoch.

Jobs keep their weights in memory only: nothing is ever written to models/dates.
They never call keras.backend.clear_session() (other sessions' models would break).

A TrainingJob is a core.jobs.BackgroundJob: it waits its turn in the server's training queue
(shared with the trigger word's fine-tune), and stops itself when its page stops asking
about it, so a closed browser tab does not hold a slot.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, replace

import keras
import numpy as np
import tensorflow as tf

from core.dates.data import (END, FAMILIES, MAX_CHARS, Tx, Ty, DateGenerator, human_vocab, inv_machine_vocab,
                             machine_vocab, preprocess_data, target_tokens)
from core.dates.decode import DateInputError, DateTranslator, answer_from_tokens, check_input
from core.dates.model import build_models
from core.jobs import BackgroundJob, JobQueue, JobStatus

DEFAULT_TEXT = "tuesday 09 oct 1993"
# Date families with little noise (see core/dates/data.py): enough variety that attention
# has to find the day, month and year, few enough that a small model learns in minutes.
LIVE_FAMILIES = ("course", "weekday", "month_name", "numeric")
DEV_SEED_OFFSET = 7_919  # the dev set's seed, away from the training seed


@dataclass(frozen=True)
class TrainingSettings:
    """Everything that defines one live run; small by default."""

    watch_text: str = DEFAULT_TEXT
    epochs: int = 10
    pairs: int = 4_000
    batch_size: int = 64
    dev_pairs: int = 200
    n_a: int = 32  # each direction of the Bi-LSTM (the shipped model: 64)
    n_s: int = 64  # post-attention LSTM (the shipped model: 128)
    learning_rate: float = 5e-3
    families: tuple[str, ...] = LIVE_FAMILIES
    seed: int = 0

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.pairs / self.batch_size)


WIDER_FAMILIES = LIVE_FAMILIES + ("ordinal", "year_first", "not_a_date", "impossible")

# Sizes offered on the page, timed on a free 2-core CPU (~2,000 pairs a second plus ~10 s
# of set-up). "tiny" exists for tests and for a quick look at the machinery.
PRESETS = {
    "tiny (seconds, learns nothing)": TrainingSettings(epochs=2, pairs=64, batch_size=32,
                                                       dev_pairs=16),
    "quick: 4 kinds of dates (about 30 s)": TrainingSettings(epochs=12, pairs=4_000),
    "standard: 8 kinds, with 'no date' (about 1 min)": TrainingSettings(
        epochs=15, pairs=6_000, learning_rate=3e-3, families=WIDER_FAMILIES),
    "everything: all 11 kinds (about 3 min)": TrainingSettings(
        epochs=20, pairs=12_000, learning_rate=3e-3, families=FAMILIES, n_a=48, n_s=96),
}
DEFAULT_PRESET = "standard: 8 kinds, with 'no date' (about 1 min)"


# ----------------------------------------------------------------------------- the model
def build_small_models(n_a: int = 32, n_s: int = 64, tx: int = Tx, ty: int = Ty,
                       human_vocab_size: int = len(human_vocab),
                       machine_vocab_size: int = len(machine_vocab)):
    """core.dates.model.build_models with smaller n_a and n_s (same layers, same wiring).

    Returns (model, encoder, step) exactly like build_models.
    """
    return build_models(tx, ty, human_vocab_size, machine_vocab_size, n_a=n_a, n_s=n_s, prefix="live_")


# ----------------------------------------------------------------------------- data
@functools.lru_cache(maxsize=8)
def check_watch_text(text: str) -> str:
    """The watched input as the model reads it, or DateInputError: its attention is drawn
    every epoch, so it must fit in one read of the model (MAX_CHARS), not in windows."""
    model_input = check_input(text)
    if len(model_input) > MAX_CHARS:
        raise DateInputError(f"The watched input is {len(model_input)} characters; the model reads "
                             f"at most {MAX_CHARS} at once. Shorten it to the date itself.")
    return model_input


def make_pairs(seed: int, m: int, families: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """m (text, answer) pairs from the given families; cached, as the generator is slow."""
    return tuple((text, answer) for text, answer, _ in DateGenerator(seed).dataset(m, families))


def sharpness(attention: np.ndarray) -> float:
    """Mean over output steps of the largest attention weight: 1/Tx (a blur) … 1 (one character)."""
    return float(attention.max(axis=1).mean()) if attention.size else 0.0


# ----------------------------------------------------------------------------- records
@dataclass
class Snapshot:
    """The watched input's translation after `epoch` epochs."""

    epoch: int
    answer: str
    output_tokens: list[str]  # the Ty greedy outputs (after END they are ignored by the page)
    attention: np.ndarray  # (Ty, len(input)): every output step over the input characters

    @property
    def shown_rows(self) -> int:
        """Output steps up to and including END (all Ty when END never came)."""
        return self.output_tokens.index(END) + 1 if END in self.output_tokens else len(self.output_tokens)


@dataclass
class EpochRecord:
    epoch: int
    loss: float | None  # mean training loss of the epoch (None for epoch 0)
    dev_exact: float  # share of dev inputs translated exactly right
    dev_chars: float  # share of dev answer characters right, position by position
    sharpness: float  # of the watched input's attention
    seconds: float  # since the job started training (data and compile included)


@dataclass
class JobView(JobStatus):
    """A consistent copy of a job's state and records for the page to draw."""

    batch_losses: list[tuple[float, float]]
    epochs: list[EpochRecord]
    snapshots: list[Snapshot]
    settings: TrainingSettings
    model_input: str


# ----------------------------------------------------------------------------- the job
class TrainingJob(BackgroundJob):
    """One live training run in its own thread. Create, then `start()`; `stop()` any time.

    States: queued → preparing → training → done | stopped | failed.
    """

    thread_name = "live-date-training"

    def __init__(self, settings: TrainingSettings = TrainingSettings(), queue: JobQueue | None = None,
                 idle_timeout: float | None = 120.0):
        self.settings = settings
        self.model_input = check_watch_text(settings.watch_text)  # DateInputError for bad text
        super().__init__(queue, idle_timeout)
        self._batches_done = 0
        self.batch_losses: list[tuple[float, float]] = []
        self.epochs: list[EpochRecord] = []
        self.snapshots: list[Snapshot] = []

    @property
    def progress(self) -> float:
        total = self.settings.epochs * self.settings.steps_per_epoch
        return min(1.0, self._batches_done / total) if total else 1.0

    def view(self) -> JobView:
        ahead = self.ahead()  # before our lock: the queue holds its own while it calls check_idle
        with self._lock:
            return JobView(**vars(self._status(ahead)), batch_losses=list(self.batch_losses),
                           epochs=list(self.epochs), snapshots=list(self.snapshots), settings=self.settings,
                           model_input=self.model_input)

    # --- the thread -----------------------------------------------------------------------
    def work(self) -> None:
        cfg = self.settings
        self._set(state="preparing", message="making the training data")
        train = make_pairs(cfg.seed, cfg.pairs, tuple(cfg.families))
        dev = make_pairs(cfg.seed + DEV_SEED_OFFSET, cfg.dev_pairs, tuple(cfg.families))
        X, Y_in, Y_out = preprocess_data(list(train))
        W = (Y_out != 0).astype("float32")
        if self.stop_requested:
            return

        self._set(message="building the model")
        # no keras.utils.set_random_seed here: it reseeds random, numpy and TF for the whole
        # process, under every other session; each run starts from its own random weights
        model, encoder, step = build_small_models(cfg.n_a, cfg.n_s)
        translator = DateTranslator(encoder, step, model, n_a=cfg.n_a, n_s=cfg.n_s)
        optimizer = keras.optimizers.Adam(cfg.learning_rate)
        loss_fn = keras.losses.SparseCategoricalCrossentropy()

        @tf.function(reduce_retracing=True)
        def train_step(x, y_in, y_out, w):
            with tf.GradientTape() as tape:
                probs = model([x, y_in], training=True)
                loss = loss_fn(y_out, probs, sample_weight=w)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        self._record_epoch(0, None, translator, dev)
        self._set(state="training", message="training")
        rng = np.random.default_rng(cfg.seed)
        steps = cfg.steps_per_epoch
        for epoch in range(1, cfg.epochs + 1):
            order = rng.permutation(len(X))
            losses = []
            for b in range(steps):
                self.check_idle()
                if self.stop_requested:
                    return
                idx = order[b * cfg.batch_size : (b + 1) * cfg.batch_size]
                loss = float(train_step(X[idx], Y_in[idx], Y_out[idx], W[idx]))
                losses.append(loss)
                with self._lock:
                    self._batches_done += 1
                    self.batch_losses.append((epoch - 1 + (b + 1) / steps, loss))
            self._record_epoch(epoch, float(np.mean(losses)), translator, dev)

    def _record_epoch(self, epoch: int, loss, translator: DateTranslator, dev) -> None:
        """Dev accuracy and the watched input's attention after `epoch` epochs."""
        texts = [self.model_input] + [check_input(t) for t, _ in dev]
        ids, _, att = translator.greedy(texts)
        answers, char_hits, char_total = [], 0, 0
        for row in ids:
            tokens = [inv_machine_vocab[int(k)] for k in row]
            n = tokens.index(END) + 1 if END in tokens else len(tokens)
            answers.append((tokens, answer_from_tokens(tokens[:n])))
        for (tokens, answer), (_, truth) in zip(answers[1:], dev):
            want = target_tokens(truth)
            char_hits += sum(a == b for a, b in zip(tokens, want))
            char_total += len(want)
        exact = float(np.mean([answer == truth for (_, answer), (_, truth) in zip(answers[1:], dev)]))
        tokens, answer = answers[0]
        attention = np.asarray(att[0, :, : len(self.model_input)], dtype=np.float32)
        snapshot = Snapshot(epoch, answer, tokens, attention)
        record = EpochRecord(epoch, loss, exact, char_hits / max(char_total, 1),
                             sharpness(attention[: snapshot.shown_rows]),
                             time.monotonic() - (self.started_at or time.monotonic()))
        with self._lock:
            self.snapshots.append(snapshot)
            self.epochs.append(record)


def settings_for(preset: str, **changes) -> TrainingSettings:
    """A preset with some fields changed (watch_text, epochs, ...)."""
    return replace(PRESETS[preset], **changes)
