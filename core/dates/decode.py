"""One step function, shared by greedy decoding, beam search and scoring.

The encoder runs once per input; then `step(state, previous characters)` gives the
distribution of the next character and the attention row that produced it. Greedy
decoding, beam search (core/dates/beam.py) and teacher-forced scoring of a given answer
are three loops over that one function, so they can never disagree about the model.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from core.dates import model as date_model
from core.dates.data import (END, IMPOSSIBLE, NOT_A_DATE, PAD, START, Tx, Ty, human_vocab,
                             inv_machine_vocab, machine_vocab, normalize_text, string_to_int)

START_ID, END_ID = machine_vocab[START], machine_vocab[END]
MAX_INPUT_CHARS = Tx


class DateInputError(ValueError):
    """Input the translator refuses, with a message meant for a person."""


def check_input(text: str) -> str:
    """The text the model will read, or DateInputError saying why not.

    Control characters become spaces; accents are folded (é → e); other characters the
    model never saw (emoji, other scripts) are kept and read as "unknown".
    """
    if not isinstance(text, str):
        raise DateInputError("Expected text.")
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    if not cleaned.strip():
        raise DateInputError("Type a date, for example “tuesday 09 oct 1993” or “4/28/90”.")
    normalized = normalize_text(cleaned)
    if len(normalized) > MAX_INPUT_CHARS:
        raise DateInputError(
            f"That is {len(normalized):,} characters; the translator reads at most "
            f"{MAX_INPUT_CHARS} (Tx = {Tx}). Shorten it to the date itself.")
    return normalized


def answer_from_tokens(tokens: list[str]) -> str:
    """Output tokens (without START, up to END) → the answer string."""
    return "".join(t for t in tokens if t not in (END, PAD, START))


def is_calendar_date(answer: str) -> bool:
    """True for a real ISO date like 1993-10-09 (the model can still write 2021-02-30)."""
    try:
        dt.date.fromisoformat(answer)
    except ValueError:
        return False
    return len(answer) == 10


@dataclass
class Translation:
    text: str  # what the person typed
    model_input: str  # what the model read (lower-cased, accents folded)
    answer: str  # "1993-10-09", "?" (not a date) or "!" (impossible date)
    confidence: float  # P(answer | text) = product of the step probabilities
    step_probabilities: list[float] = field(default_factory=list)
    output_tokens: list[str] = field(default_factory=list)  # including END
    attention: np.ndarray | None = None  # (len(output_tokens), len(model_input))

    @property
    def status(self) -> str:
        if self.answer == NOT_A_DATE:
            return "not_a_date"
        if self.answer == IMPOSSIBLE:
            return "impossible"
        return "date" if is_calendar_date(self.answer) else "malformed"

    @property
    def iso(self) -> str | None:
        return self.answer if self.status == "date" else None


class DateTranslator:
    """The trained translator behind a compiled step function."""

    def __init__(self, encoder, step_model, model=None, n_a: int = date_model.n_a, n_s: int = date_model.n_s):
        self.model = model  # the training model, kept for its summary
        self.encoder = encoder
        self.step_model = step_model
        self.vocab_size = len(machine_vocab)
        self.n_s = n_s
        spec_ids = tf.TensorSpec((None, Tx), tf.int32)
        spec_a = tf.TensorSpec((None, Tx, 2 * n_a), tf.float32)
        spec_s = tf.TensorSpec((None, n_s), tf.float32)
        spec_prev = tf.TensorSpec((None,), tf.int32)
        self._encode = tf.function(lambda x: self.encoder(x, training=False),
                                   input_signature=[spec_ids])
        self._step = tf.function(self._step_impl,
                                 input_signature=[spec_a, spec_s, spec_s, spec_prev])
        # Greedy decoding as one graph (the Ty steps unrolled): one call per keystroke instead
        # of Ty + 1, which is what keeps a translation under 10 ms on two cores.
        self._greedy = tf.function(self._greedy_impl, input_signature=[spec_ids])

    @classmethod
    def load(cls, directory: Path | str = date_model.MODEL_DIR) -> "DateTranslator":
        model, encoder, step = date_model.load(Path(directory))
        return cls(encoder, step, model)

    def summary(self) -> str:
        """The course-style model summary, as text."""
        lines = []
        self.model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), line_length=110)
        return "\n".join(lines)

    # --- the shared step ------------------------------------------------------------------
    def _step_impl(self, a, s, c, prev_ids):
        prev = tf.one_hot(prev_ids, self.vocab_size)
        probs, s, c, alphas = self.step_model([a, s, c, prev], training=False)
        return probs, s, c, alphas[:, :, 0]

    def encode(self, texts: list[str]):
        """Checked texts → decoder state (a, s, c) for each, as numpy-friendly tensors."""
        ids = np.array([string_to_int(t, Tx, human_vocab) for t in texts], dtype=np.int32)
        a = self._encode(ids)
        zeros = tf.zeros((len(texts), self.n_s))
        return a, zeros, zeros

    def step(self, state, prev_ids):
        """(state, previous character ids) → (probabilities (m, V), attention (m, Tx), state)."""
        a, s, c = state
        probs, s, c, alphas = self._step(a, s, c, tf.constant(prev_ids, dtype=tf.int32))
        return probs.numpy(), alphas.numpy(), (a, s, c)

    # --- greedy ---------------------------------------------------------------------------
    def greedy(self, texts: list[str]):
        """Greedy decoding of already-checked texts, in one batch.

        Returns token ids (m, Ty), their probabilities (m, Ty) and attention (m, Ty, Tx).
        The same step as beam search and scoring, compiled with its loop into one graph.
        """
        ids = np.array([string_to_int(t, Tx, human_vocab) for t in texts], dtype=np.int32)
        return tuple(t.numpy() for t in self._greedy(ids))

    def _greedy_impl(self, input_ids):
        a = self.encoder(input_ids, training=False)
        s = c = tf.zeros((tf.shape(input_ids)[0], self.n_s))
        prev = tf.fill((tf.shape(input_ids)[0],), tf.constant(START_ID, tf.int32))
        ids, probs, att = [], [], []
        for _ in range(Ty):
            p, s, c, alphas = self._step_impl(a, s, c, prev)
            prev = tf.argmax(p, axis=1, output_type=tf.int32)
            ids.append(prev)
            probs.append(tf.gather(p, prev, batch_dims=1))
            att.append(alphas)
        return tf.stack(ids, 1), tf.stack(probs, 1), tf.stack(att, 1)

    def translate_many(self, texts: list[str], batch_size: int = 512) -> list[Translation]:
        """Translate checked or unchecked texts; a refused text raises DateInputError."""
        checked = [check_input(t) for t in texts]
        results = []
        for start in range(0, len(texts), batch_size):
            chunk = checked[start : start + batch_size]
            ids, probs, att = self.greedy(chunk)
            for i, model_input in enumerate(chunk):
                tokens = [inv_machine_vocab[int(k)] for k in ids[i]]
                n = tokens.index(END) + 1 if END in tokens else len(tokens)
                results.append(Translation(
                    text=texts[start + i], model_input=model_input,
                    answer=answer_from_tokens(tokens[:n]),
                    confidence=float(np.prod(probs[i, :n])),
                    step_probabilities=[float(p) for p in probs[i, :n]],
                    output_tokens=tokens[:n],
                    attention=att[i, :n, : len(model_input)]))
        return results

    def translate(self, text: str) -> Translation:
        return self.translate_many([text])[0]

    # --- scoring --------------------------------------------------------------------------
    def score(self, text: str, answer: str) -> tuple[float, list[float]]:
        """log P(answer | text) by teacher forcing, and the per-step log-probabilities.

        `answer` is an ISO date, "?" or "!"; END is appended, as the model must also say
        that the answer is over.
        """
        model_input = check_input(text)
        unknown = [ch for ch in answer if ch not in machine_vocab]
        if unknown or not answer or len(answer) > Ty - 1:
            raise DateInputError(f"“{answer}” is not something the translator can write: "
                                 "use digits and '-' (YYYY-MM-DD), or ? / !.")
        targets = [machine_vocab[ch] for ch in answer] + [END_ID]
        state = self.encode([model_input])
        prev = np.array([START_ID], dtype=np.int32)
        steps = []
        for target in targets:
            p, _, state = self.step(state, prev)
            steps.append(float(np.log(max(p[0, target], 1e-30))))
            prev = np.array([target], dtype=np.int32)
        return float(sum(steps)), steps


def beam_translate(translator: DateTranslator, text: str, beam_width: int, alpha: float = 0.0,
                   shown_per_step: int | None = 10):
    """Beam search on the date model's step function (core/beam_search.py)."""
    from core.beam_search import beam_search

    model_input = check_input(text)

    def next_fn(state, tokens):
        probs, _, state = translator.step(state, tokens)
        return np.log(np.maximum(probs, 1e-30)), state

    return beam_search(next_fn, translator.encode([model_input]), START_ID, END_ID,
                       beam_width=beam_width, max_length=Ty, alpha=alpha,
                       shown_per_step=shown_per_step)


def tokens_to_answer(tokens) -> str:
    """Token ids (ending with END) → the answer string, e.g. '1993-10-09' or '?'."""
    return answer_from_tokens([inv_machine_vocab[int(t)] for t in tokens])
