"""Beam search on tiny deterministic fake models (no TensorFlow needed)."""
import itertools

import numpy as np
import pytest

from core.beam_search import beam_search, brute_force, length_normalised

START, END = 0, 1
V = 4  # tokens: start, end, a, b


def fake_model(seed):
    """A fixed random next-token distribution that depends on the whole prefix."""
    def next_fn(state, tokens):
        # state: (k, t) array of prefixes (start token included)
        prefixes = np.concatenate([state, tokens[:, None]], axis=1)
        rows = []
        for prefix in prefixes:
            rng = np.random.default_rng([seed, *prefix.tolist()])
            logits = rng.normal(size=V) * 2
            logits[START] = -np.inf  # never emit the start token
            rows.append(logits - np.logaddexp.reduce(logits))
        return np.array(rows), prefixes
    return next_fn


def table_model(table):
    """next-token log-probabilities from a dict prefix → probabilities."""
    def next_fn(state, tokens):
        prefixes = [tuple(p) + (int(t),) for p, t in zip(state, tokens)]
        with np.errstate(divide="ignore"):  # probability 0 → log 0 = -inf: never a candidate
            log_probs = np.log([table.get(p[1:], ELSEWHERE) for p in prefixes])
        return log_probs, np.array(prefixes, dtype=object)
    return next_fn


def greedy(next_fn, max_length):
    state, token, out, total = np.zeros((1, 0), dtype=np.int64), START, [], 0.0
    for _ in range(max_length):
        log_probs, state = next_fn(state, np.array([token]))
        token = int(np.argmax(log_probs[0]))
        total += log_probs[0][token]
        out.append(token)
        if token == END:
            break
    return tuple(out), total


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("alpha", [0.0, 0.7, 1.0])
def test_wide_beam_equals_brute_force(seed, alpha):
    next_fn = fake_model(seed)
    state = np.zeros((1, 0), dtype=np.int64)
    wide = beam_search(next_fn, state, START, END, beam_width=V ** 4, max_length=4, alpha=alpha)
    every = brute_force(next_fn, state, START, END, max_length=4, vocab_size=V, alpha=alpha)
    assert [c.tokens for c in wide.finished] == [c.tokens for c in every]
    np.testing.assert_allclose([c.log_prob for c in wide.finished], [c.log_prob for c in every])


@pytest.mark.parametrize("seed", range(10))
def test_width_one_is_greedy(seed):
    next_fn = fake_model(seed)
    result = beam_search(next_fn, np.zeros((1, 0), dtype=np.int64), START, END, 1, max_length=6)
    tokens, total = greedy(next_fn, 6)
    if tokens[-1] == END:
        assert result.best.tokens == tokens
        assert result.best.log_prob == pytest.approx(total)
    else:  # greedy ran out of length without ending: beam has no finished candidate
        assert result.best is None


def test_log_probs_add_up_along_the_path():
    next_fn = fake_model(3)
    result = beam_search(next_fn, np.zeros((1, 0), dtype=np.int64), START, END, 3, max_length=5)
    for cand in result.finished:
        state, total, last = np.zeros((1, 0), dtype=np.int64), 0.0, START
        for token in cand.tokens:
            log_probs, state = next_fn(state, np.array([last]))
            total += log_probs[0][token]
            last = token
        assert cand.log_prob == pytest.approx(total)


# A crafted case: ending at once has P = 0.4; the long answer a, a, a, end has
# P = 0.6 * 0.8 * 0.8 * 0.99 = 0.38, a little less in total but far likelier per token.
SHORT_VS_LONG = {
    (): [0, 0.40, 0.60, 0.0],
    (2,): [0, 0.05, 0.80, 0.15],
    (2, 2): [0, 0.05, 0.80, 0.15],
    (2, 2, 2): [0, 0.99, 0.005, 0.005],
}
ELSEWHERE = [0, 0.9, 0.05, 0.05]  # after any other prefix, mostly stop
SHORT_VS_LONG = {k: np.array(v, dtype=float) for k, v in SHORT_VS_LONG.items()}


def test_length_normalisation_flips_the_winner():
    next_fn = table_model(SHORT_VS_LONG)
    state = np.empty((1, 0), dtype=object)
    short, long_ = (END,), (2, 2, 2, END)
    p_short = np.log(0.4)
    p_long = np.log(0.6) + 2 * np.log(0.8) + np.log(0.99)
    assert p_short > p_long  # raw sum prefers the short answer ...
    assert p_long / 4 > p_short / 1  # ... the per-token average prefers the long one
    plain = beam_search(next_fn, state, START, END, beam_width=3, max_length=5, alpha=0.0)
    norm = beam_search(next_fn, state, START, END, beam_width=3, max_length=5, alpha=1.0)
    assert plain.best.tokens == short
    assert norm.best.tokens == long_
    assert norm.best.normalised(1.0) == pytest.approx(p_long / 4)
    # the formula itself
    assert length_normalised(-8.0, 4, 0.5) == pytest.approx(-4.0)
    assert length_normalised(-8.0, 4, 0.0) == -8.0


def test_trace_marks_kept_and_pruned_and_links_parents():
    next_fn = fake_model(1)
    result = beam_search(next_fn, np.zeros((1, 0), dtype=np.int64), START, END, 2, max_length=4,
                         shown_per_step=2)
    for t, step in enumerate(result.steps):
        assert sum(c.kept for c in step) <= 2
        assert len(step) <= 4
        for c in step:
            if t == 0:
                assert c.parent == -1
            else:
                parent = result.steps[t - 1][c.parent]
                assert parent.kept and not parent.finished
                assert c.tokens[:-1] == parent.tokens


def test_zero_width_is_refused():
    with pytest.raises(ValueError):
        beam_search(fake_model(0), np.zeros((1, 0)), START, END, 0, 3)
