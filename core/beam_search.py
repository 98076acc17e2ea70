"""Beam search over any `next(state, tokens)` step, with the course's length normalisation.

    score(y) = 1 / Ty^α · Σ_t log P(y⟨t⟩ | x, y⟨1⟩ … y⟨t−1⟩)

α = 0 is the plain sum of log-probabilities (which favours short outputs); α = 1 is the
average log-probability per token. Ty counts the output tokens including the end symbol.

The search keeps the `beam_width` most likely prefixes (by the raw sum, as in the course)
at every step; a kept prefix that ends with the end symbol is set aside as a finished
candidate, and the finished candidates are ranked by the normalised score at the end.
With beam_width = 1 this is greedy decoding; with a beam as wide as the number of
possible outputs it is exhaustive search.

`next_fn(state, tokens)` receives the decoder state of k live prefixes and their last
tokens (k,), and returns (log-probabilities (k, V), new state). `gather(state, rows)`
picks rows of a state; the default handles numpy arrays, tensors and tuples of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Candidate:
    tokens: tuple[int, ...]  # the output so far, without the start token
    log_prob: float  # Σ log P over those tokens
    parent: int  # index, in the previous step's list, of the prefix it extends (-1: the root)
    kept: bool = False  # among the beam_width best at its step
    finished: bool = False  # kept and ends with the end token

    def normalised(self, alpha: float) -> float:
        return length_normalised(self.log_prob, len(self.tokens), alpha)


@dataclass
class BeamResult:
    finished: list[Candidate]  # ranked by the normalised score, best first
    steps: list[list[Candidate]] = field(default_factory=list)  # what each step looked at
    alpha: float = 0.0

    @property
    def best(self) -> Candidate | None:
        return self.finished[0] if self.finished else None


def length_normalised(log_prob: float, length: int, alpha: float) -> float:
    """The course's objective: (1 / Ty^α) · Σ log P."""
    return log_prob / (max(length, 1) ** alpha)


def gather_rows(state, rows):
    if isinstance(state, tuple):
        return tuple(gather_rows(s, rows) for s in state)
    if isinstance(state, np.ndarray):
        return state[rows]
    import tensorflow as tf  # only for tensor states

    return tf.gather(state, rows)


def beam_search(next_fn, state, start_token: int, end_token: int, beam_width: int,
                max_length: int, alpha: float = 0.0, gather=gather_rows,
                shown_per_step: int | None = None) -> BeamResult:
    """Search for the outputs with the best length-normalised log-probability.

    `shown_per_step` limits how many of the pruned expansions each step records for
    display (all kept ones are always recorded); None records every expansion.
    """
    if beam_width < 1:
        raise ValueError("beam_width must be at least 1")
    live = [Candidate(tokens=(), log_prob=0.0, parent=-1, kept=True)]
    live_index = [-1]  # where each live prefix sits in the previous step's list
    last_tokens = np.array([start_token], dtype=np.int32)
    finished: list[Candidate] = []
    steps: list[list[Candidate]] = []
    for _ in range(max_length):
        log_probs, state = next_fn(state, last_tokens)
        log_probs = np.asarray(log_probs, dtype=np.float64)
        totals = np.array([c.log_prob for c in live])[:, None] + log_probs  # (k, V)
        order = np.argsort(-totals, axis=None, kind="stable")
        expansions = []
        for rank, flat in enumerate(order):
            row, token = divmod(int(flat), log_probs.shape[1])
            if not np.isfinite(totals[row, token]):
                break  # impossible continuations (probability 0) are never candidates
            if shown_per_step is not None and rank >= beam_width + shown_per_step:
                break
            cand = Candidate(tokens=live[row].tokens + (token,), log_prob=float(totals[row, token]),
                             parent=live_index[row], kept=rank < beam_width)
            cand.finished = cand.kept and token == end_token
            expansions.append(cand)
        steps.append(expansions)
        finished += [c for c in expansions if c.finished]
        continuing = [i for i, c in enumerate(expansions) if c.kept and not c.finished]
        if not continuing:
            break
        rows = [int(order[i]) // log_probs.shape[1] for i in continuing]
        state = gather(state, np.array(rows, dtype=np.int32))
        live = [expansions[i] for i in continuing]
        live_index = continuing
        last_tokens = np.array([c.tokens[-1] for c in live], dtype=np.int32)
    finished.sort(key=lambda c: -c.normalised(alpha))
    return BeamResult(finished=finished, steps=steps, alpha=alpha)


def brute_force(next_fn, state, start_token: int, end_token: int, max_length: int,
                vocab_size: int, alpha: float = 0.0, gather=gather_rows) -> list[Candidate]:
    """Every output of up to max_length tokens that ends with end_token, best first.

    Exponential: for tests and tiny vocabularies only.
    """
    results = []

    def expand(prefix, log_prob, state, last):
        log_probs, new_state = next_fn(state, np.array([last], dtype=np.int32))
        for token in range(vocab_size):
            total = log_prob + float(log_probs[0][token])
            if not np.isfinite(total):
                continue
            tokens = prefix + (token,)
            if token == end_token:
                results.append(Candidate(tokens=tokens, log_prob=total, parent=-1, finished=True))
            elif len(tokens) < max_length:
                expand(tokens, total, new_state, token)

    expand((), 0.0, state, start_token)
    results.sort(key=lambda c: -c.normalised(alpha))
    return results
