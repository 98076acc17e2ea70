"""core.ctc against the definition (brute force over alignments) and against Keras / TensorFlow."""
import itertools
import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ctc import (BLANK, MAX_LISTED_ALIGNMENTS, Alphabet, CTCInputError, adjacent_repeats, beam_decode,
                      brute_force_loss, check_fits, collapse, collapse_indices, count_alignments,
                      count_alignments_closed_form, ctc_forward, ctc_loss, enumerate_alignments,
                      greedy_decode, many_paths_probs, min_steps, most_likely_alignments, normalise_rows,
                      path_log_prob, peaked_probs, probability_problem, random_probs, rows_off, sample_alignments,
                      spread_frames)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


# --- the collapse rule ----------------------------------------------------------------------

def test_course_example_collapses_to_the_q_step_by_step():
    steps = collapse("ttt_h_eee___ ___qqq__")
    assert steps.merged == "t_h_e_ _q_"
    assert steps.result == "the q"
    assert steps.runs[0] == ("t", 3) and steps.runs[-1] == ("_", 2)
    assert sum(length for _, length in steps.runs) == len("ttt_h_eee___ ___qqq__")


@pytest.mark.parametrize("frames, merged, result", [
    ("", "", ""),  # empty input
    ("____", "_", ""),  # all blanks
    ("aa_a", "a_a", "aa"),  # repeats across a blank stay separate
    ("aaaa", "a", "a"),  # repeats without a blank merge
    ("a  a", "a a", "a a"),  # the space is a real symbol: merged, never dropped
    ("_a__b_", "_a_b_", "ab"),
    ("hh_ee_lll_ll_oo", "h_e_l_l_o", "hello"),
])
def test_collapse_edge_cases(frames, merged, result):
    steps = collapse(frames)
    assert (steps.merged, steps.result) == (merged, result)


def test_collapse_with_another_blank_symbol_and_on_indices():
    assert collapse("aa-a_", blank="-").result == "aa_"  # "_" is then an ordinary symbol
    assert collapse((1, 1, 0, 1, 2, 2, 0), blank=0).result == (1, 1, 2)
    assert collapse_indices([3, 3, 3], blank=3) == ()
    assert collapse_indices(np.array([0, 2, 2, 0, 2]), blank=0) == (2, 2)


# --- the alphabet and bad input -------------------------------------------------------------

def test_alphabet_puts_the_blank_first_or_last():
    assert Alphabet("cat").symbols == ("_", "c", "a", "t")
    assert Alphabet("cat").blank == 0
    assert Alphabet("cat", blank_index=-1).symbols == ("c", "a", "t", "_")
    assert Alphabet("cat", blank_index=-1).blank == 3
    assert Alphabet("ab ").encode("a b") == [1, 3, 2]
    assert Alphabet("ab", -1).decode([2, 0, 1]) == "_ab"


def test_alphabet_refuses_unknown_symbols_with_their_names():
    with pytest.raises(CTCInputError, match='"x", "y" are not in the symbol set'):
        Alphabet("cat").encode("xcy")
    with pytest.raises(CTCInputError, match="blank"):
        Alphabet("cat").encode("c_t")
    with pytest.raises(CTCInputError, match="blank"):
        Alphabet("c_t")
    with pytest.raises(CTCInputError, match="once"):
        Alphabet("caa")
    with pytest.raises(CTCInputError):
        Alphabet("")


def test_steps_needed_count_a_blank_between_repeats():
    assert min_steps("cat") == 3
    assert min_steps("hello") == 6 and adjacent_repeats("hello") == 1
    assert min_steps("aaa") == 5
    assert min_steps("") == 0
    check_fits("hello", 6)
    with pytest.raises(CTCInputError, match=r"needs at least 6 steps \(5 symbols \+ 1 blank"):
        check_fits("hello", 5)
    with pytest.raises(CTCInputError, match="at least 1"):
        check_fits("", 0)


# --- alignments -----------------------------------------------------------------------------

def all_frame_strings_collapsing_to(target, steps, letters):
    """The definition, by listing every string of the right length."""
    return {"".join(f) for f in itertools.product(BLANK + letters, repeat=steps)
            if collapse("".join(f)).result == target}


@pytest.mark.parametrize("target", ["", "a", "ab", "aa", "aba", "abb", "aaa", "ba"])
@pytest.mark.parametrize("steps", range(1, 7))
def test_alignments_are_exactly_the_strings_that_collapse_to_the_target(target, steps):
    expected = all_frame_strings_collapsing_to(target, steps, "ab")
    listed = enumerate_alignments(target, steps) if min_steps(target) <= steps else []
    assert len(listed) == len(set(listed))  # no duplicates
    assert set(listed) == expected
    assert count_alignments(target, steps) == len(expected)
    assert count_alignments_closed_form(target, steps) == len(expected)


def test_cat_in_five_steps_has_28_alignments():
    listed = enumerate_alignments("cat", 5)
    assert count_alignments("cat", 5) == 28 == len(listed) == math.comb(5 + 3, 6)
    assert "cc_at" in listed and "_cat_" in listed and "ca_t_" in listed
    assert all(len(a) == 5 and collapse(a).result == "cat" for a in listed)


def test_counting_works_where_listing_refuses():
    target, steps = "the quick brown fox", 1_000  # 10 s of audio
    count = count_alignments(target, steps)
    assert count == count_alignments_closed_form(target, steps) > 10**60
    with pytest.raises(CTCInputError, match="too many to list"):
        enumerate_alignments(target, steps)
    assert count_alignments("hello", 20) > MAX_LISTED_ALIGNMENTS
    with pytest.raises(CTCInputError, match=f"{MAX_LISTED_ALIGNMENTS:,}"):
        enumerate_alignments("hello", 20)
    assert count_alignments("aa", 2) == 0


def test_samples_are_valid_alignments_even_when_there_are_too_many_to_list():
    samples = sample_alignments("the quick brown fox", 1_000, 5, seed=1)
    assert all(len(s) == 1_000 and collapse(s).result == "the quick brown fox" for s in samples)
    assert len(set(samples)) == 5
    assert sample_alignments("aa", 4, 10, seed=3) == sample_alignments("aa", 4, 10, seed=3)  # seeded


def test_samples_are_uniform_over_the_alignments():
    listed = enumerate_alignments("ab", 4)  # C(6, 4) = 15
    draws = sample_alignments("ab", 4, 6_000, seed=0)
    counts = np.array([draws.count(a) for a in listed])
    assert counts.sum() == 6_000  # every draw is one of the listed alignments
    expected = 6_000 / len(listed)
    chi_square = ((counts - expected) ** 2 / expected).sum()
    assert chi_square < 36.1  # the 0.999 quantile for 14 degrees of freedom


def test_enumerating_indices_needs_the_blank_outside_the_target():
    assert enumerate_alignments((1, 2), 3, blank=0) == [(0, 1, 2), (1, 1, 2), (1, 0, 2), (1, 2, 2), (1, 2, 0)]
    with pytest.raises(CTCInputError, match="blank"):
        enumerate_alignments((1, 0), 3, blank=0)


# --- the CTC loss ---------------------------------------------------------------------------

def test_forward_algorithm_matches_the_sum_over_alignments_by_hand():
    probs = np.array([[0.5, 0.4, 0.1], [0.6, 0.3, 0.1]])  # blank, a, b
    # "a" in two steps: "aa", "a_", "_a"
    by_hand = 0.4 * 0.3 + 0.4 * 0.6 + 0.5 * 0.3
    assert ctc_loss(probs, [1]) == pytest.approx(-math.log(by_hand), abs=1e-12)
    # "ab": only "ab"
    assert ctc_loss(probs, [1, 2]) == pytest.approx(-math.log(0.4 * 0.1), abs=1e-12)
    # "": only "__"
    assert ctc_loss(probs, []) == pytest.approx(-math.log(0.5 * 0.6), abs=1e-12)
    # "aa" needs three steps
    assert ctc_loss(probs, [1, 1]) == math.inf


@settings(max_examples=60, deadline=None)
@given(steps=st.integers(1, 6), symbols=st.integers(2, 4), seed=st.integers(0, 10_000),
       target=st.lists(st.integers(0, 2), max_size=4), blank=st.integers(-1, 3), sharpness=st.floats(0, 4))
def test_forward_algorithm_equals_brute_force(steps, symbols, seed, target, blank, sharpness):
    blank = blank % symbols
    letters = [c for c in range(symbols) if c != blank]
    target = [letters[i % len(letters)] for i in target]
    probs = random_probs(steps, symbols, seed=seed, sharpness=sharpness)
    forward = ctc_loss(probs, target, blank)
    brute = brute_force_loss(probs, target, blank)
    if min_steps(target) > steps:
        assert forward == brute == math.inf
    else:
        assert forward == pytest.approx(brute, abs=1e-9)


def test_the_probabilities_of_every_output_sum_to_one():
    probs = random_probs(4, 3, seed=7)
    outputs = {collapse_indices(path, 0) for path in itertools.product(range(3), repeat=4)}
    total = sum(math.exp(-ctc_loss(probs, out)) for out in outputs)
    assert total == pytest.approx(1.0, abs=1e-12)


def test_alpha_table_starts_with_blank_or_first_letter_and_ends_in_the_loss():
    probs = random_probs(6, 4, seed=2)
    forward = ctc_forward(probs, [1, 2, 2], blank=0)
    assert forward.extended == (0, 1, 0, 2, 0, 2, 0)
    assert forward.log_alpha.shape == (6, 7)
    assert np.exp(forward.log_alpha[0, :2]) == pytest.approx(probs[0, :2])
    assert np.all(np.isneginf(forward.log_alpha[0, 2:]))  # no path is further on after one step
    assert forward.probability == pytest.approx(np.exp(forward.log_alpha[-1, -2:]).sum())


def test_blank_first_or_last_gives_the_same_loss():
    probs = random_probs(7, 4, seed=5)
    last = np.roll(probs, -1, axis=1)  # move the blank column to the end
    assert ctc_loss(probs, [1, 3, 3], blank=0) == pytest.approx(ctc_loss(last, [0, 2, 2], blank=-1), abs=1e-12)
    assert ctc_loss(last, [0, 2, 2], blank=-1) == ctc_loss(last, [0, 2, 2], blank=3)


def test_long_inputs_do_not_underflow():
    probs = random_probs(1_000, 6, seed=0)
    loss = ctc_loss(probs, [1, 2, 3, 4, 5] * 10)
    assert np.isfinite(loss) and loss > 745  # P < 1e-323: plain products would have underflowed to 0


def test_zero_probabilities_are_allowed_and_bad_ones_refused():
    probs = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert ctc_loss(probs, [1]) == pytest.approx(0.0)
    assert ctc_loss(probs, []) == math.inf
    with pytest.raises(CTCInputError, match="negative"):
        ctc_loss(np.array([[0.5, -0.1], [0.5, 0.5]]), [1])
    with pytest.raises(CTCInputError, match="blank"):
        ctc_loss(probs, [0])
    with pytest.raises(CTCInputError):
        ctc_loss(np.array([0.5, 0.5]), [1])


# --- against Keras and TensorFlow -----------------------------------------------------------

@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("blank", [0, -1])
def test_loss_equals_keras_ctc_loss(keras, blank):
    """keras.ops.ctc_loss takes logits (TF applies log-softmax), so log(probs) goes in."""
    rng = np.random.default_rng(0)
    batch, steps, symbols = 8, 12, 5
    probs = np.stack([random_probs(steps, symbols, seed=s, sharpness=2.0) for s in range(batch)])
    blank_index = blank % symbols
    letters = [c for c in range(symbols) if c != blank_index]
    lengths = rng.integers(0, 6, size=batch)
    targets = np.zeros((batch, 5), dtype=np.int32)
    for b, length in enumerate(lengths):
        targets[b, :length] = rng.choice(letters, size=length)
    expected = np.asarray(keras.ops.ctc_loss(targets, np.log(probs).astype("float32"), lengths,
                                             np.full(batch, steps), mask_index=blank_index))
    ours = [ctc_loss(probs[b], targets[b, :lengths[b]], blank=blank) for b in range(batch)]
    np.testing.assert_allclose(ours, expected, rtol=1e-4)


def test_loss_equals_tf_nn_ctc_loss_on_a_long_sequence():
    tf = pytest.importorskip("tensorflow")
    probs = random_probs(200, 6, seed=3)
    target = [1, 2, 2, 3, 4, 5, 5, 5, 1] * 4
    expected = tf.nn.ctc_loss(labels=tf.constant([target]), logits=tf.constant(np.log(probs)[:, None, :], tf.float32),
                              label_length=[len(target)], logit_length=[200], blank_index=0)
    assert ctc_loss(probs, target) == pytest.approx(float(expected[0]), rel=1e-5)


@pytest.mark.parametrize("blank", [0, -1])
def test_greedy_agrees_with_keras_ctc_decode(keras, blank):
    for seed in range(20):
        probs = random_probs(15, 5, seed=seed, sharpness=2.0)
        decoded, score = keras.ops.ctc_decode(np.log(probs)[None].astype("float32"), np.array([15]),
                                              strategy="greedy", mask_index=blank % 5)
        theirs = tuple(int(i) for i in np.asarray(decoded)[0, 0] if i >= 0)
        ours = greedy_decode(probs, blank=blank)
        assert ours.labels == theirs
        assert -ours.log_prob == pytest.approx(float(np.asarray(score)[0, 0]), rel=1e-5)  # -Σ max log p


def keras_beam(keras, probs, width, blank, top_paths=1):
    decoded, scores = keras.ops.ctc_decode(np.log(probs)[None].astype("float32"), np.array([len(probs)]),
                                           strategy="beam_search", beam_width=width, top_paths=top_paths,
                                           mask_index=blank % probs.shape[1])
    labels = [tuple(int(i) for i in row if i >= 0) for row in np.asarray(decoded)[:, 0]]
    return labels, np.asarray(scores)[0]


@pytest.mark.parametrize("blank", [0, -1])
def test_beam_search_equals_keras_ctc_decode_when_the_beam_holds_every_prefix(keras, blank):
    """Six steps over two letters have at most 127 outputs: a beam of 128 prunes nothing, so both
    decoders are exact and must give the same top outputs with the same log-probabilities."""
    for seed in range(10):
        probs = random_probs(6, 3, seed=seed, sharpness=2.0)
        theirs, scores = keras_beam(keras, probs, 128, blank, top_paths=3)
        beams, _ = beam_decode(probs, 128, blank=blank)
        for rank in range(3):
            exact = -ctc_loss(probs, beams[rank].labels, blank=blank)
            assert beams[rank].log_prob == pytest.approx(exact, abs=1e-12)
            assert float(scores[rank]) == pytest.approx(exact, abs=1e-4)
            if rank == 0 or beams[rank - 1].log_prob - beams[rank].log_prob > 1e-3:  # not tied
                assert beams[rank].labels == theirs[rank]


@pytest.mark.parametrize("width", [8, 64])
def test_pruning_beams_agree_with_keras_on_the_best_output(keras, width):
    """Ten steps over four letters: the beams prune. Over these 30 matrices the best output is the
    same; its log-probability matches to 1e-4 in most, and where it does not, TF's is higher (but
    still below the exact value): TF's decoder does not keep the plain top-k extensions (see
    test_a_narrow_beam_keeps_the_top_extensions_of_the_previous_beam)."""
    matches = 0
    for seed in range(30):
        probs = random_probs(10, 5, seed=seed, sharpness=2.0)
        theirs, scores = keras_beam(keras, probs, width, 0)
        best = beam_decode(probs, width)[0][0]
        exact = -ctc_loss(probs, best.labels)
        assert best.labels == theirs[0]
        assert best.log_prob - 1e-4 <= float(scores[0]) <= exact + 1e-4
        matches += abs(best.log_prob - float(scores[0])) <= 1e-4
    assert matches >= 25


# --- decoding -------------------------------------------------------------------------------

def test_greedy_and_beam_disagree_when_many_paths_beat_the_best_one():
    probs = np.array([[0.6, 0.4], [0.6, 0.4]])  # blank, a
    greedy = greedy_decode(probs)
    assert greedy.path == (0, 0) and greedy.labels == ()
    assert greedy.log_prob == pytest.approx(math.log(0.36))
    beams, _ = beam_decode(probs, 4)
    assert beams[0].labels == (1,)
    assert beams[0].log_prob == pytest.approx(math.log(0.4 * 0.4 + 0.4 * 0.6 + 0.6 * 0.4))  # "aa", "a_", "_a"


def test_a_beam_that_keeps_every_prefix_gives_exact_probabilities():
    probs = random_probs(5, 3, seed=11, sharpness=1.0)
    beams, _ = beam_decode(probs, 10_000)
    assert {b.labels for b in beams} == {collapse_indices(p) for p in itertools.product(range(3), repeat=5)}
    for beam in beams:
        assert beam.log_prob == pytest.approx(-ctc_loss(probs, beam.labels), abs=1e-12)
        assert beam.log_prob == pytest.approx(np.logaddexp(beam.log_blank, beam.log_letter))
    assert sum(math.exp(b.log_prob) for b in beams) == pytest.approx(1.0)
    assert [b.log_prob for b in beams] == sorted((b.log_prob for b in beams), reverse=True)


def test_a_narrow_beam_keeps_the_top_extensions_of_the_previous_beam():
    """Width 2, after three steps: the two best of every extension of the step-2 beam.

    TensorFlow's decoder (keras.ops.ctc_decode) keeps "2" here instead of "2 4 1": when "2 4" is
    pushed out of the beam by its sibling "2 1" during the step, and "2" then fails to re-create it,
    TF resets "2 4"'s previous probability and never extends it. Over the ten steps of this matrix
    TF ends with the same best output but a log-probability of -4.709 against -5.005 here; with a
    beam of 5 both give -4.3985, with 100 both -4.1702 (exact, over all alignments: -4.1552).
    """
    probs = random_probs(10, 5, seed=4)
    _, history = beam_decode(probs, 2, keep_steps=True)
    assert [b.labels for b in history[1]] == [(2,), (2, 4)]
    p = probs
    p2_after_two = p[0, 2] * (p[1, 2] + p[1, 0])  # "22", "2_" ("_2" left with "", pruned at step 1)
    expected = {(2, 1): p2_after_two * p[2, 1], (2, 4, 1): p[0, 2] * p[1, 4] * p[2, 1]}
    assert {b.labels: math.exp(b.log_prob) for b in history[2]} == pytest.approx(expected)
    assert beam_decode(probs, 2)[0][0].log_prob == pytest.approx(-5.00505, abs=1e-4)
    assert -ctc_loss(probs, (2, 1, 4, 3, 1, 3)) == pytest.approx(-4.15519, abs=1e-4)


def test_beam_width_must_be_positive():
    with pytest.raises(CTCInputError, match="at least 1"):
        beam_decode(random_probs(3, 3), 0)


# --- probability matrices for the page ------------------------------------------------------

def test_generated_matrices_are_probabilities():
    assert random_probs(6, 4, seed=1).sum(axis=1) == pytest.approx(np.ones(6))
    assert np.allclose(random_probs(3, 4, sharpness=0.0), 0.25)
    frames = spread_frames([1, 2, 2], 8, blank=0)
    assert len(frames) == 8 and collapse_indices(frames, 0) == (1, 2, 2)
    peaked = peaked_probs(frames, 3, peak=0.8, seed=0)
    assert peaked.sum(axis=1) == pytest.approx(np.ones(8))
    assert np.allclose(peaked[np.arange(8), frames], 0.8)
    assert greedy_decode(peaked).labels == (1, 2, 2)
    assert spread_frames([], 3, blank=0) == [0, 0, 0]
    with pytest.raises(CTCInputError):
        spread_frames([1, 1], 2, blank=0)


def test_normalise_rows_and_path_probability():
    rows = normalise_rows([[1.0, 3.0], [0.0, 0.0]])
    assert rows.tolist() == [[0.25, 0.75], [0.5, 0.5]]
    assert path_log_prob(rows, [1, 0]) == pytest.approx(math.log(0.75 * 0.5))


# --- the explorer page's matrices -------------------------------------------------------------

def test_moving_the_blank_moves_a_column_and_nothing_else():
    probs = random_probs(5, 4, seed=3)  # blank first: _, c, a, t
    last = Alphabet("cat", blank_index=-1)
    moved = last.from_blank_first(probs)
    assert last.symbols == ("c", "a", "t", BLANK)
    assert np.array_equal(moved[:, :3], probs[:, 1:]) and np.array_equal(moved[:, 3], probs[:, 0])
    assert np.array_equal(Alphabet("cat").from_blank_first(probs), probs)


def test_many_paths_beat_the_single_best_one():
    alphabet = Alphabet("ab")
    probs = many_paths_probs(alphabet, 4)
    assert np.allclose(probs.sum(axis=1), 1) and np.allclose(probs[0], [0.5, 0.4, 0.1])
    greedy = greedy_decode(probs, blank=alphabet.blank)
    best = beam_decode(probs, 8, blank=alphabet.blank)[0][0]
    assert greedy.labels == () and best.labels == tuple(alphabet.encode("a"))
    assert np.allclose(many_paths_probs(Alphabet("a"), 2)[0], [0.6, 0.4])


def test_typed_probabilities_are_checked_and_rows_off_named():
    assert probability_problem(np.array([[0.5, np.nan]])).startswith("Every cell needs a number")
    assert "negative" in probability_problem(np.array([[-0.1, 1.1]]))
    assert "infinite" in probability_problem(np.array([[np.inf, 0.0]]))
    assert probability_problem(np.array([[0.2, 0.3], [1.0, 0.0]])) is None
    assert rows_off(np.array([[0.2, 0.3], [1.0, 0.0], [0.0, 0.0]])) == [0, 2]


def test_the_most_likely_alignments_come_first_with_their_probabilities():
    probs = random_probs(4, 3, seed=1)
    ranked = most_likely_alignments(probs, [1, 2], n=3)
    everything = enumerate_alignments((1, 2), 4, blank=0)
    best = sorted(everything, key=lambda p: -path_log_prob(probs, p))[:3]
    assert [path for path, _ in ranked] == [tuple(p) for p in best]
    assert all(np.isclose(p, np.exp(path_log_prob(probs, path))) for path, p in ranked)

