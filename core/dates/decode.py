"""One step function, shared by greedy decoding, beam search and scoring.

The encoder runs once per input; then `step(state, previous characters)` gives the
distribution of the next character and the attention row that produced it. Greedy
decoding, beam search (core/dates/beam.py) and teacher-forced scoring of a given answer
are three loops over that one function, so they can never disagree about the model.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from core.dates import model as date_model
from core.dates.data import (END, IMPOSSIBLE, MAX_CHARS, NOT_A_DATE, ORDERS, PAD, START, Tx, Ty,
                             encode_input, inv_machine_vocab, machine_vocab, normalize_text)

START_ID, END_ID = machine_vocab[START], machine_vocab[END]
MAX_INPUT_CHARS = 2_000  # longer text is refused; text past MAX_CHARS is read in windows
WINDOW_STRIDE = 16  # characters between the starts of two windows over a long text
THREE_NUMBERS = re.compile(r"\d+\D{1,3}\d+\D{1,3}\d+")  # what a reading order can change


class DateInputError(ValueError):
    """Input the translator refuses, with a message meant for a person."""


def check_input(text: str) -> str:
    """The text the model will read, or DateInputError saying why not.

    Control characters become spaces; accents are folded (é → e); other characters the
    model never saw (emoji, other scripts) are kept and read as "unknown". Text longer than
    the model reads at once (MAX_CHARS) is read in windows (`windows`).
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
            f"{MAX_INPUT_CHARS:,}. Paste the part with the date.")
    return normalized


def check_order(order: str) -> str:
    if order not in ORDERS:
        raise DateInputError(f"Reading order “{order}” is not one of {', '.join(ORDERS)}.")
    return order


def windows(text: str, width: int = MAX_CHARS, stride: int = WINDOW_STRIDE) -> list[tuple[int, str]]:
    """(start, piece) windows of at most `width` characters covering a checked text.

    The model reads MAX_CHARS characters at once; a longer text (a log line, a paragraph)
    is read window by window and the most confident date wins (`DateTranslator.translate_many`).
    Windows start every `stride` characters, moved to the start of a word where one is near.
    """
    if len(text) <= width:
        return [(0, text)]
    starts = []
    for start in range(0, len(text) - width + stride, stride):
        start = min(start, len(text) - width)
        space = text.rfind(" ", max(start - stride // 2, 0), start + 1)
        start = space + 1 if space >= 0 and start > 0 else start
        if not starts or start > starts[-1]:
            starts.append(start)
    if starts[-1] < len(text) - width:
        starts.append(len(text) - width)
    return [(start, text[start : start + width].strip()) for start in starts]


def answer_from_tokens(tokens: list[str]) -> str:
    """Output tokens (without START, up to END) → the answer string."""
    return "".join(t for t in tokens if t not in (END, PAD, START))


def calendar_checked(answer: str) -> str:
    """The model's answer, with an ISO-shaped day that is not on the calendar ("2020-04-31",
    "2020-00-00") reported as impossible ("!"): the model wrote the digits it read, the
    calendar says there is no such day."""
    shaped = len(answer) == 10 and answer[4] == answer[7] == "-" and (answer[:4] + answer[5:7] + answer[8:]).isdigit()
    return IMPOSSIBLE if shaped and not is_calendar_date(answer) else answer


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
    order: str = "auto"  # the reading order the model was told (core.dates.data.ORDERS)
    window_start: int = 0  # where model_input starts in the checked text (long text: a window)

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

    def encode(self, texts: list[str], order: str = "auto"):
        """Checked texts (each at most MAX_CHARS) → decoder state (a, s, c) for each."""
        ids = np.array([encode_input(t, order) for t in texts], dtype=np.int32)
        a = self._encode(ids)
        zeros = tf.zeros((len(texts), self.n_s))
        return a, zeros, zeros

    def step(self, state, prev_ids):
        """(state, previous character ids) → (probabilities (m, V), attention (m, Tx), state)."""
        a, s, c = state
        probs, s, c, alphas = self._step(a, s, c, tf.constant(prev_ids, dtype=tf.int32))
        return probs.numpy(), alphas.numpy(), (a, s, c)

    # --- greedy ---------------------------------------------------------------------------
    def greedy(self, texts: list[str], order: str | list[str] = "auto"):
        """Greedy decoding of already-checked texts (each at most MAX_CHARS), in one batch.

        Returns token ids (m, Ty), their probabilities (m, Ty) and attention (m, Ty, Tx - 1)
        over the characters (the order mark's column dropped). The same step as beam search
        and scoring, compiled with its loop into one graph.
        """
        orders = [order] * len(texts) if isinstance(order, str) else order
        ids = np.array([encode_input(t, o) for t, o in zip(texts, orders)], dtype=np.int32)
        out_ids, probs, att = (t.numpy() for t in self._greedy(ids))
        return out_ids, probs, att[:, :, 1:]

    def _greedy_impl(self, input_ids):
        """Greedy decoding, Ty steps unrolled, with the attention's encoder half done once.

        densor1 reads concat([a⟨t'⟩, s⟨t-1⟩]); its kernel splits into an a-part and an s-part,
        and the a-part does not change between output steps. Computing it once instead of Ty
        times is the same arithmetic (tests/dates/test_translate.py compares it with the
        step function) at about a third of the work, which is what batch throughput needs.
        """
        bi_lstm = self.encoder.get_layer("bi_lstm")  # the encoder's layers: any input length
        a = bi_lstm(tf.one_hot(input_ids, bi_lstm.input.shape[-1]), training=False)
        layer = self.step_model.get_layer
        densor1, densor2 = layer("densor1"), layer("densor2")
        cell, output_layer = layer("post_attention_lstm"), layer("output_layer")
        kernel1 = tf.convert_to_tensor(densor1.kernel)
        width = a.shape[-1]
        keys = tf.einsum("btd,de->bte", a, kernel1[:width]) + tf.convert_to_tensor(densor1.bias)
        kernel1_s = kernel1[width:]
        kernel2, bias2 = tf.convert_to_tensor(densor2.kernel), tf.convert_to_tensor(densor2.bias)
        m = tf.shape(input_ids)[0]
        s = c = tf.zeros((m, self.n_s))
        prev = tf.fill((m,), tf.constant(START_ID, tf.int32))
        ids, probs, att = [], [], []
        for _ in range(Ty):
            energies = tf.nn.relu(tf.einsum("bte,eo->bto", tf.tanh(keys + tf.matmul(s, kernel1_s)[:, None, :]),
                                            kernel2) + bias2)
            alphas = tf.nn.softmax(energies, axis=1)
            context = tf.reduce_sum(alphas * a, axis=1)
            s, (_, c) = cell(tf.concat([context, tf.one_hot(prev, self.vocab_size)], -1), [s, c])
            p = output_layer(s)
            prev = tf.argmax(p, axis=1, output_type=tf.int32)
            ids.append(prev)
            probs.append(tf.gather(p, prev, batch_dims=1))
            att.append(alphas[:, :, 0])
        return tf.stack(ids, 1), tf.stack(probs, 1), tf.stack(att, 1)

    def translate_many(self, texts: list[str], order: str = "auto",
                       batch_size: int = 2048) -> list[Translation]:
        """Translate checked or unchecked texts; a refused text raises DateInputError.

        A text longer than the model reads at once is read in windows; the answer is the
        most confident date among them (else the most confident "!" or "?").
        """
        check_order(order)
        pieces = []  # (text index, window start, window text)
        for i, text in enumerate(texts):
            pieces += [(i, start, piece) for start, piece in windows(check_input(text))]
        unique = list(dict.fromkeys(piece for _, _, piece in pieces))  # logs repeat themselves
        row_of = {piece: k for k, piece in enumerate(unique)}
        decoded = [self.greedy(unique[start : start + batch_size], order)
                   for start in range(0, len(unique), batch_size)]
        ids, probs, att = (np.concatenate(parts) for parts in zip(*decoded)) if decoded else ((), (), ())
        best: dict[int, Translation] = {}
        for i, window_start, model_input in pieces:
            k = row_of[model_input]
            tokens = [inv_machine_vocab[int(t)] for t in ids[k]]
            n = tokens.index(END) + 1 if END in tokens else len(tokens)
            result = Translation(
                text=texts[i], model_input=model_input, answer=calendar_checked(answer_from_tokens(tokens[:n])),
                confidence=float(np.prod(probs[k, :n])),
                step_probabilities=[float(p) for p in probs[k, :n]], output_tokens=tokens[:n],
                attention=att[k, :n, : len(model_input)], order=order, window_start=window_start)
            if i not in best or _preference(result) > _preference(best[i]):
                best[i] = result
        return [best[i] for i in range(len(texts))]

    def translate(self, text: str, order: str = "auto") -> Translation:
        return self.translate_many([text], order)[0]

    def model_input(self, text: str, order: str = "auto") -> str:
        """What the model reads for this text: all of it, or for a long text the best window."""
        checked = check_input(text)
        return checked if len(checked) <= MAX_CHARS else self.translate(text, order).model_input

    # --- scoring --------------------------------------------------------------------------
    def score(self, text: str, answer: str, order: str = "auto") -> tuple[float, list[float]]:
        """log P(answer | text) by teacher forcing, and the per-step log-probabilities.

        `answer` is an ISO date, "?" or "!"; END is appended, as the model must also say
        that the answer is over. A long text is scored on the window `translate` reads.
        """
        model_input = self.model_input(text, order)
        unknown = [ch for ch in answer if ch not in machine_vocab]
        if unknown or not answer or len(answer) > Ty - 1:
            raise DateInputError(f"“{answer}” is not something the translator can write: "
                                 "use digits and '-' (YYYY-MM-DD), or ? / !.")
        targets = [machine_vocab[ch] for ch in answer] + [END_ID]
        state = self.encode([model_input], order)
        prev = np.array([START_ID], dtype=np.int32)
        steps = []
        for target in targets:
            p, _, state = self.step(state, prev)
            steps.append(float(np.log(max(p[0, target], 1e-30))))
            prev = np.array([target], dtype=np.int32)
        return float(sum(steps)), steps


def _preference(result: Translation) -> tuple[int, float]:
    """Which window of a long text answers for it: a date, then "!", then "?", then a garbled
    answer; among equals, the most confident."""
    rank = {"date": 3, "impossible": 2, "not_a_date": 1}.get(result.status, 0)
    return rank, result.confidence


def beam_translate(translator: DateTranslator, text: str, beam_width: int, alpha: float = 0.0,
                   shown_per_step: int | None = 10, order: str = "auto"):
    """Beam search on the date model's step function (core/beam_search.py)."""
    from core.beam_search import beam_search

    model_input = translator.model_input(text, check_order(order))

    def next_fn(state, tokens):
        probs, _, state = translator.step(state, tokens)
        return np.log(np.maximum(probs, 1e-30)), state

    return beam_search(next_fn, translator.encode([model_input], order), START_ID, END_ID,
                       beam_width=beam_width, max_length=Ty, alpha=alpha,
                       shown_per_step=shown_per_step)


def tokens_to_answer(tokens) -> str:
    """Token ids (ending with END) → the answer string, e.g. '1993-10-09' or '?'."""
    return answer_from_tokens([inv_machine_vocab[int(t)] for t in tokens])


@dataclass
class Reading:
    answer: str  # an ISO date
    orders: list[str]  # the reading orders that give it
    probability: float  # P(answer | text) under the order asked about


def readings(translator: DateTranslator, text: str, order: str = "auto") -> list[Reading]:
    """The different dates the text can be under the three explicit reading orders.

    One reading for an unambiguous text ("28/02/2019"); two or three for "04/07/2019" or
    "07/04/05"; none, without running the model, for text with no three numbers in a row to
    read ("9 may 1998"): the page asks on every keystroke. Each reading comes with the model's
    probability of it under `order`, the order the person chose, so the page can say how sure
    the model is that the chosen order's reading is the one meant.
    """
    if not THREE_NUMBERS.search(text):
        return []
    found: dict[str, list[str]] = {}
    for other in ("mdy", "dmy", "ymd"):
        result = translator.translate(text, other)
        if result.status == "date":
            found.setdefault(result.answer, []).append(other)
    return [Reading(answer, orders, float(np.exp(translator.score(text, answer, order)[0])))
            for answer, orders in found.items()]
