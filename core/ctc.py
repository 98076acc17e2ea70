"""Connectionist temporal classification (CTC), small enough to read.

Speech gives many more input steps than output characters (10 s of audio at 100 steps a
second is 1,000 steps for a sentence of a few dozen characters). CTC lets the network
emit one symbol per step anyway, from the letters plus a special **blank**, and reads the
output with the *collapse rule*: merge repeated symbols, then drop the blanks, so
"ttt_h_eee___ ___qqq__" becomes "the q". The space is a real symbol; the blank is not.

Every frame string that collapses to a target is an **alignment** of it. The probability
of a target is the sum over all its alignments of the product of the per-step
probabilities, and the CTC loss is -log of that sum, computed by the forward algorithm
instead of listing the alignments (there are C(T + L − r, 2L) of them for a target of L
symbols with r adjacent repeats over T steps).

The blank index is always a parameter, `blank`: Keras 3 (`keras.ops.ctc_loss`,
`mask_index=0`) puts the blank first, older TensorFlow (`tf.nn.ctc_beam_search_decoder`,
Keras 2's `K.ctc_*`) last. Functions that work on indices take `blank=BLANK_INDEX` (0, as
in Keras 3); a negative index counts from the end, so `blank=-1` is the old convention.
In text the blank is shown as "_" (BLANK).
"""
from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

BLANK = "_"  # how the blank is written in frame strings, as in the course
BLANK_INDEX = 0  # where the blank sits among the symbols by default (Keras 3's mask_index)
MAX_LISTED_ALIGNMENTS = 100_000  # enumerate_alignments refuses beyond this; counting has no limit
NEG_INF = -math.inf


class CTCInputError(ValueError):
    """Input that CTC cannot work with; the message is meant for the reader of the page."""


# --- the collapse rule ----------------------------------------------------------------------

@dataclass(frozen=True)
class Collapse:
    """The collapse rule step by step, so a page can show each stage."""

    frames: Sequence  # the network's output, one symbol per step
    runs: tuple[tuple[object, int], ...]  # (symbol, how many steps in a row)
    merged: Sequence  # after merging repeats: one symbol per run
    result: Sequence  # after dropping the blanks: the transcript


def collapse(frames: str | Sequence, blank=BLANK) -> Collapse:
    """Merge repeated symbols, then drop blanks. Strings in give strings out.

    The order matters: "aa_a" merges to "a_a" and then gives "aa", because the blank
    separates two runs of "a"; dropping blanks first would give "a".
    """
    runs: list[list] = []
    for symbol in frames:
        if runs and runs[-1][0] == symbol:
            runs[-1][1] += 1
        else:
            runs.append([symbol, 1])
    merged = [symbol for symbol, _ in runs]
    result = [symbol for symbol in merged if symbol != blank]
    if isinstance(frames, str):
        return Collapse(frames, tuple(map(tuple, runs)), "".join(merged), "".join(result))
    return Collapse(tuple(frames), tuple(map(tuple, runs)), tuple(merged), tuple(result))


def collapse_indices(path: Sequence[int], blank: int = BLANK_INDEX) -> tuple[int, ...]:
    """The collapse rule on symbol indices (a best path, an alignment)."""
    return tuple(collapse(tuple(int(i) for i in path), blank).result)


# --- symbols and text -----------------------------------------------------------------------

@dataclass(frozen=True)
class Alphabet:
    """The output symbols: the blank plus real letters (the space counts as a letter).

    `blank_index` 0 is Keras 3's order; `blank_index=-1` puts the blank last like older
    TensorFlow. The probabilities' columns follow `symbols`.
    """

    letters: str
    blank_index: int = BLANK_INDEX

    def __post_init__(self):
        if BLANK in self.letters:
            raise CTCInputError(f'"{BLANK}" is the blank; it cannot also be a letter.')
        if len(set(self.letters)) != len(self.letters):
            raise CTCInputError("Each letter may appear only once in the symbol set.")
        if not self.letters:
            raise CTCInputError("The symbol set needs at least one letter besides the blank.")

    @property
    def symbols(self) -> tuple[str, ...]:
        symbols = list(self.letters)
        where = self.blank_index if self.blank_index >= 0 else len(symbols) + 1 + self.blank_index
        symbols.insert(where, BLANK)
        return tuple(symbols)

    @property
    def blank(self) -> int:
        return self.symbols.index(BLANK)

    def unknown(self, text: str) -> list[str]:
        """Characters of `text` that are not letters of this alphabet, in order of appearance."""
        return list(dict.fromkeys(c for c in text if c not in self.letters))

    def encode(self, text: str) -> list[int]:
        """Text → symbol indices; refuses unknown characters (and the blank) with a clear message."""
        unknown = self.unknown(text)
        if unknown:
            shown = ", ".join(f'"{c}"' for c in unknown)
            raise CTCInputError(f"{shown} {'is' if len(unknown) == 1 else 'are'} not in the symbol set "
                                f'"{self.letters}" (the blank "{BLANK}" cannot be part of a target).')
        index = {s: i for i, s in enumerate(self.symbols)}
        return [index[c] for c in text]

    def decode(self, indices: Sequence[int]) -> str:
        """Symbol indices → text, blanks written as "_"."""
        return "".join(self.symbols[i] for i in indices)

    def from_blank_first(self, probs) -> np.ndarray:
        """A matrix whose columns are in Keras 3's order (blank first) → its columns in this
        alphabet's order: where the blank sits changes the column order and nothing else."""
        blank_first = Alphabet(self.letters, blank_index=0).symbols
        return np.asarray(probs)[:, [blank_first.index(s) for s in self.symbols]]


# --- alignments -----------------------------------------------------------------------------

def adjacent_repeats(target: Sequence) -> int:
    """How many neighbours in the target are equal: each needs a blank between them."""
    return sum(1 for a, b in zip(target, target[1:]) if a == b)


def min_steps(target: Sequence) -> int:
    """The fewest steps that can produce `target`: one per symbol plus a blank per repeat."""
    return len(target) + adjacent_repeats(target)


def check_fits(target: Sequence, steps: int) -> None:
    """Refuse a target that `steps` frames cannot produce, saying why."""
    if steps < 1:
        raise CTCInputError("The number of steps T must be at least 1.")
    needed = min_steps(target)
    if needed > steps:
        repeats = adjacent_repeats(target)
        why = (f" ({len(target)} symbols + {repeats} blank{'s' if repeats != 1 else ''} between "
               "repeated letters)") if repeats else ""
        raise CTCInputError(f"A target of length {len(target)} needs at least {needed} steps{why}, "
                            f"but there are only T = {steps}.")


def extended_labels(target: Sequence, blank=BLANK) -> list:
    """The target with a blank before, between and after its symbols: 2L + 1 states."""
    extended = [blank]
    for symbol in target:
        extended += [symbol, blank]
    return extended


def _can_skip(extended: Sequence, s: int, blank) -> bool:
    """May a path jump from state s - 2 to s, skipping the blank between? Only between different letters."""
    return s >= 2 and extended[s] != blank and extended[s] != extended[s - 2]


def count_alignments(target: Sequence, steps: int) -> int:
    """How many frame strings of length `steps` collapse to `target` (exact, by dynamic programming).

    The forward recursion with every probability set to 1; equals the closed form C(T + L − r, 2L).
    """
    if steps < 1 or min_steps(target) > steps:
        return 0
    blank = object()  # a stand-in blank that equals no symbol of the target
    extended = extended_labels(target, blank)
    paths = [0] * len(extended)  # paths[s]: partial alignments in state s after this step
    paths[:2] = [1, 1][:len(extended)]
    for _ in range(1, steps):
        previous = paths[:]
        for s in range(len(extended)):
            paths[s] = previous[s] + (previous[s - 1] if s >= 1 else 0)
            if _can_skip(extended, s, blank):
                paths[s] += previous[s - 2]
    return sum(paths[-2:])


def count_alignments_closed_form(target: Sequence, steps: int) -> int:
    """C(T + L − r, 2L): place L non-empty letter runs and L + 1 blank runs (r of them non-empty)."""
    if steps < 1 or min_steps(target) > steps:
        return 0
    return math.comb(steps + len(target) - adjacent_repeats(target), 2 * len(target))


def _completions(target: Sequence, steps: int, blank) -> tuple[list, list[list[int]]]:
    """completions[t][s]: how many ways to finish from state s after step t (backward counts)."""
    extended = extended_labels(target, blank)
    size = len(extended)
    completions = [[0] * size for _ in range(steps)]
    completions[steps - 1][size - 1] = 1
    if size > 1:
        completions[steps - 1][size - 2] = 1
    for t in range(steps - 2, -1, -1):
        for s in range(size):
            total = completions[t + 1][s]
            if s + 1 < size:
                total += completions[t + 1][s + 1]
            if s + 2 < size and _can_skip(extended, s + 2, blank):
                total += completions[t + 1][s + 2]
            completions[t][s] = total
    return extended, completions


def _check_target(target: Sequence, steps: int, blank) -> None:
    if blank in target:
        raise CTCInputError(f'The blank "{blank}" cannot be part of a target.')
    check_fits(target, steps)


def _as_frames(path: list, target: Sequence):
    return "".join(path) if isinstance(target, str) else tuple(path)


def enumerate_alignments(target: Sequence, steps: int, blank=BLANK,
                         limit: int = MAX_LISTED_ALIGNMENTS) -> list:
    """Every alignment of `target` over `steps` frames, in the order of the states they visit.

    Refuses (CTCInputError) when there are more than `limit`: use count_alignments to count
    and sample_alignments to look at some.
    """
    _check_target(target, steps, blank)
    count = count_alignments(target, steps)
    if count > limit:
        raise CTCInputError(f"{count:,} alignments is too many to list (the limit is {limit:,}); "
                            "they can still be counted and sampled.")
    extended, completions = _completions(target, steps, blank)
    found: list = []

    def walk(t: int, s: int, path: list) -> None:
        path.append(extended[s])
        if t == steps - 1:
            found.append(_as_frames(path, target))
        else:
            for step in (0, 1, 2):
                nxt = s + step
                if nxt < len(extended) and (step < 2 or _can_skip(extended, nxt, blank)) \
                        and completions[t + 1][nxt]:
                    walk(t + 1, nxt, path)
        path.pop()

    for start in (0, 1)[:len(extended)]:
        if completions[0][start]:
            walk(0, start, [])
    return found


def sample_alignments(target: Sequence, steps: int, n: int, blank=BLANK, seed: int = 0) -> list:
    """`n` alignments drawn uniformly at random (with replacement), however many there are.

    Each next state is chosen in proportion to how many alignments continue through it.
    """
    _check_target(target, steps, blank)
    rng = random.Random(seed)  # exact integers: counts can be far beyond float range
    extended, completions = _completions(target, steps, blank)
    samples = []
    for _ in range(n):
        choices = [s for s in (0, 1) if s < len(extended)]
        path = []
        for t in range(steps):
            weights = [completions[t][s] for s in choices]
            s = choices[_weighted_choice(rng, weights)]
            path.append(extended[s])
            choices = [s] + [s + 1] * (s + 1 < len(extended)) \
                + [s + 2] * (s + 2 < len(extended) and _can_skip(extended, s + 2, blank))
        samples.append(_as_frames(path, target))
    return samples


def _weighted_choice(rng: random.Random, weights: list[int]) -> int:
    """An index drawn in exact proportion to integer weights (which may exceed float range)."""
    pick = rng.randrange(sum(weights))
    for i, weight in enumerate(weights):
        if pick < weight:
            return i
        pick -= weight
    raise AssertionError("unreachable: pick is below the sum of the weights")


# --- probabilities --------------------------------------------------------------------------

def _log_probs(probs) -> np.ndarray:
    """Check a (T, C) matrix of per-step probabilities and take its log (log 0 = -inf)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] < 1 or probs.shape[1] < 2:
        raise CTCInputError("Probabilities must be a (T, C) matrix with T ≥ 1 steps and C ≥ 2 symbols.")
    if not np.all(np.isfinite(probs)) or np.any(probs < 0):
        raise CTCInputError("Probabilities must be finite and not negative.")
    with np.errstate(divide="ignore"):
        return np.log(probs)


def _blank_index(blank: int, symbols: int) -> int:
    if not -symbols <= blank < symbols:
        raise CTCInputError(f"blank index {blank} is outside the {symbols} symbols.")
    return blank % symbols


def normalise_rows(matrix) -> np.ndarray:
    """Scale each step's scores to sum to 1 (a row of zeros becomes uniform)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    sums = matrix.sum(axis=1, keepdims=True)
    uniform = np.full_like(matrix, 1.0 / matrix.shape[1])
    return np.where(sums > 0, matrix / np.where(sums > 0, sums, 1.0), uniform)


def probability_problem(values: np.ndarray) -> str | None:
    """What stops a typed (T, C) matrix from being turned into probabilities; None if nothing
    does (rows that do not sum to 1 are fine: normalise_rows divides them by their sum)."""
    if np.isnan(values).any():
        return "Every cell needs a number: an emptied cell has no probability."
    if (values < 0).any() or not np.isfinite(values).all():
        return "Probabilities cannot be negative or infinite."
    return None


def rows_off(values: np.ndarray, tolerance: float = 1e-3) -> list[int]:
    """The steps (from 0) whose row does not sum to 1."""
    return [int(t) for t in np.flatnonzero(np.abs(values.sum(axis=1) - 1) > tolerance)]


def path_log_prob(probs, path: Sequence[int]) -> float:
    """log P(one alignment) = Σ_t log y_t[path_t]: the steps are independent given the input."""
    log_probs = _log_probs(probs)
    return float(sum(log_probs[t, s] for t, s in enumerate(path)))


def brute_force_loss(probs, target: Sequence[int], blank: int = BLANK_INDEX) -> float:
    """-log Σ over every alignment of P(alignment): the definition, for checking ctc_loss."""
    probs = np.asarray(probs, dtype=np.float64)
    blank = _blank_index(blank, probs.shape[1])
    if min_steps(target) > probs.shape[0]:
        return math.inf
    paths = enumerate_alignments(tuple(target), probs.shape[0], blank=blank)
    log_p = np.logaddexp.reduce([path_log_prob(probs, path) for path in paths])
    return -float(log_p)


def most_likely_alignments(probs, target: Sequence[int], blank: int = BLANK_INDEX,
                            n: int = 10) -> list[tuple[tuple[int, ...], float]]:
    """The n most likely alignments of the target, with their probabilities, listed one by one."""
    paths = enumerate_alignments(tuple(target), len(probs), blank=blank)
    ranked = sorted(paths, key=lambda p: -path_log_prob(probs, p))[:n]
    return [(path, float(np.exp(path_log_prob(probs, path)))) for path in ranked]


@dataclass(frozen=True)
class Forward:
    """The forward algorithm's result: the loss and the table that produced it."""

    loss: float  # -log P(target | x)
    log_alpha: np.ndarray  # (T, 2L + 1): log P(first t steps end in extended state s)
    extended: tuple[int, ...]  # the target with blanks around and between its symbols

    @property
    def probability(self) -> float:
        return math.exp(-self.loss)


def ctc_forward(probs, target: Sequence[int], blank: int = BLANK_INDEX) -> Forward:
    """The forward (alpha) recursion over the extended target, in log space.

    alpha[t, s] sums the probabilities of every partial path that is in state s at step t.
    A path may stay in s, move to s + 1, or skip the blank to s + 2 when that lands on a
    different letter. P(target) = alpha[T-1, last] + alpha[T-1, last - 1]: a path may end
    on the last letter or on the blank after it. Logs keep 1,000 steps of small numbers
    from underflowing.
    """
    log_probs = _log_probs(probs)
    steps, symbols = log_probs.shape
    blank = _blank_index(blank, symbols)
    target = [int(i) for i in target]
    if any(not 0 <= i < symbols or i == blank for i in target):
        raise CTCInputError("Target indices must be symbols other than the blank.")
    extended = extended_labels(target, blank)
    size = len(extended)
    log_alpha = np.full((steps, size), NEG_INF)
    log_alpha[0, 0] = log_probs[0, blank]  # start with a blank ...
    if size > 1:
        log_alpha[0, 1] = log_probs[0, extended[1]]  # ... or with the first letter
    for t in range(1, steps):
        for s in range(size):
            incoming = log_alpha[t - 1, s]
            if s >= 1:
                incoming = np.logaddexp(incoming, log_alpha[t - 1, s - 1])
            if _can_skip(extended, s, blank):
                incoming = np.logaddexp(incoming, log_alpha[t - 1, s - 2])
            log_alpha[t, s] = incoming + log_probs[t, extended[s]]
    log_p = log_alpha[-1, -1] if size == 1 else np.logaddexp(log_alpha[-1, -1], log_alpha[-1, -2])
    return Forward(loss=-float(log_p), log_alpha=log_alpha, extended=tuple(extended))


def ctc_loss(probs, target: Sequence[int], blank: int = BLANK_INDEX) -> float:
    """-log P(target | x) by the forward algorithm; inf when no alignment fits."""
    return ctc_forward(probs, target, blank).loss


# --- decoding -------------------------------------------------------------------------------

@dataclass(frozen=True)
class BestPath:
    path: tuple[int, ...]  # the most likely symbol at each step
    labels: tuple[int, ...]  # the path collapsed
    log_prob: float  # log P(this one path), not of its collapsed output


def greedy_decode(probs, blank: int = BLANK_INDEX) -> BestPath:
    """Best-path decoding: the argmax at every step, then the collapse rule.

    This finds the single most likely *alignment*; the most likely *output* can differ,
    because an output's probability is summed over all of its alignments.
    """
    log_probs = _log_probs(probs)
    blank = _blank_index(blank, log_probs.shape[1])
    path = tuple(int(i) for i in log_probs.argmax(axis=1))
    return BestPath(path, collapse_indices(path, blank), float(log_probs.max(axis=1).sum()))


@dataclass(frozen=True)
class Prefix:
    labels: tuple[int, ...]
    log_prob: float  # log P(labels), summed over the alignments the beam kept
    log_blank: float  # ... of those that end in a blank
    log_letter: float  # ... of those that end in the last letter


def beam_decode(probs, beam_width: int = 8, blank: int = BLANK_INDEX,
                keep_steps: bool = False) -> tuple[list[Prefix], list[list[Prefix]]]:
    """CTC prefix beam search: the `beam_width` most likely outputs so far, at every step.

    A prefix keeps two probabilities, of its paths ending in a blank and ending in its
    last letter, because the next letter behaves differently after each: after "a" (no
    blank yet) another "a" merges into the same prefix, after "a_" it starts "aa". Paths
    that collapse to the same prefix are summed, so the search scores outputs rather than
    single paths. With a beam wide enough to keep every prefix, each log_prob is exactly
    -ctc_loss of that prefix.

    Returns the final prefixes best first, and (if keep_steps) the beam after each step.

    TensorFlow's decoder (keras.ops.ctc_decode, strategy="beam_search") finds the same best
    output on the tests' matrices, and the same log-probability when nothing is pruned, but
    its beam is not always the top-k of the extensions: when a prefix is pushed out during a
    step and its parent then fails to re-create it, TF also forgets its previous probability
    and never extends it. With pruning, TF's score for the best output can then be higher.
    """
    if beam_width < 1:
        raise CTCInputError("The beam width must be at least 1.")
    log_probs = _log_probs(probs)
    steps, symbols = log_probs.shape
    blank = _blank_index(blank, symbols)
    letters = [c for c in range(symbols) if c != blank]
    beam = {(): (0.0, NEG_INF)}  # prefix → (log P ending in blank, log P ending in its last letter)
    history = []
    for t in range(steps):
        grown: dict = defaultdict(lambda: [NEG_INF, NEG_INF])
        for prefix, (log_blank, log_letter) in beam.items():
            log_total = np.logaddexp(log_blank, log_letter)
            entry = grown[prefix]  # a blank keeps the prefix, now ending in a blank
            entry[0] = np.logaddexp(entry[0], log_total + log_probs[t, blank])
            for c in letters:
                p = log_probs[t, c]
                if prefix and prefix[-1] == c:
                    entry[1] = np.logaddexp(entry[1], log_letter + p)  # "a" + "a" → still "a"
                    longer = grown[prefix + (c,)]
                    longer[1] = np.logaddexp(longer[1], log_blank + p)  # "a_" + "a" → "aa"
                else:
                    longer = grown[prefix + (c,)]
                    longer[1] = np.logaddexp(longer[1], log_total + p)
        alive = [(prefix, value) for prefix, value in grown.items() if max(value) > NEG_INF]
        ranked = sorted(alive, key=lambda item: (-np.logaddexp(*item[1]), item[0]))
        beam = {prefix: tuple(value) for prefix, value in ranked[:beam_width]}
        if keep_steps:
            history.append(_prefixes(beam))
    return _prefixes(beam), history


def _prefixes(beam: dict) -> list[Prefix]:
    return [Prefix(prefix, float(np.logaddexp(b, n)), float(b), float(n)) for prefix, (b, n) in beam.items()]


def output_log_prob(probs, labels: Sequence[int], blank: int = BLANK_INDEX) -> float:
    """log P(output) over all its alignments: what beam search estimates, exactly."""
    return -ctc_loss(probs, labels, blank)


# --- probability matrices for the page ------------------------------------------------------

def random_probs(steps: int, symbols: int, seed: int = 0, sharpness: float = 1.0) -> np.ndarray:
    """A (T, C) matrix of softmax(sharpness · N(0, 1)) rows: a seeded, untrained network."""
    rng = np.random.default_rng(seed)
    logits = sharpness * rng.standard_normal((steps, symbols))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def peaked_probs(frames: Sequence[int], symbols: int, peak: float = 0.7, seed: int = 0) -> np.ndarray:
    """Rows that put about `peak` on the given frame's symbol and share the rest at random.

    Stands in for a trained network that is fairly sure of one alignment.
    """
    if not 0 < peak < 1:
        raise CTCInputError("The peak probability must be between 0 and 1.")
    rng = np.random.default_rng(seed)
    rest = rng.dirichlet(np.ones(symbols), size=len(frames))
    probs = np.empty((len(frames), symbols))
    for t, symbol in enumerate(frames):
        others = np.delete(rest[t], symbol)
        probs[t] = np.insert(others / others.sum() * (1 - peak), symbol, peak)
    return probs


def many_paths_probs(alphabet: Alphabet, steps: int) -> np.ndarray:
    """Every step alike: the blank most likely (0.5; 0.6 when there is one letter), the first
    letter 0.4, the other letters sharing 0.1. The single best path is all blanks, yet outputs
    made of the first letter collect far more probability over their many alignments: greedy
    decoding and beam search disagree."""
    others = len(alphabet.letters) - 1
    row = np.full(len(alphabet.symbols), 0.1 / others if others else 0.0)
    row[alphabet.blank] = 0.5 if others else 0.6
    row[alphabet.encode(alphabet.letters[0])[0]] = 0.4
    return np.tile(row / row.sum(), (steps, 1))


def spread_frames(target: Sequence[int], steps: int, blank: int) -> list[int]:
    """A plausible alignment: each letter held for an equal share of the steps, blanks where needed."""
    check_fits(target, steps)
    if not target:
        return [blank] * steps
    # one run per letter plus a blank run between repeats; share the spare steps over the letters
    frames: list[int] = []
    spare = steps - min_steps(target)
    for i, symbol in enumerate(target):
        if i and target[i - 1] == symbol:
            frames.append(blank)
        extra = spare // len(target) + (1 if i < spare % len(target) else 0)
        frames += [symbol] * (1 + extra)
    return frames
