"""core.bleu: the course's worked numbers, edge cases, and agreement with sacreBLEU and NLTK."""
import math
import random
import warnings

import pytest
from nltk.translate import bleu_score as nltk_bleu
from sacrebleu.metrics import BLEU

from core.bleu import (
    brevity_penalty,
    closest_reference_length,
    corpus_bleu,
    count_ngrams,
    ngrams,
    parse_corpus,
    sentence_bleu,
    tokenize,
)

COURSE_REFERENCES = ["the cat is on the mat", "there is a cat on the mat"]
VOCABULARY = ["the", "cat", "is", "on", "mat", "a"]  # small, so that n-grams overlap often
CASES = 300
TOLERANCE = 1e-9
SACRE_SMOOTHING = {"none": dict(smooth_method="none"), "add-one": dict(smooth_method="add-k", smooth_value=1)}
NLTK_SMOOTHING = {"none": None, "add-one": nltk_bleu.SmoothingFunction().method2}


# --- the course's examples -------------------------------------------------------------------

def test_course_unigram_example_gives_two_sevenths():
    result = sentence_bleu("the the the the the the the", COURSE_REFERENCES, max_n=1)
    unigrams = result.orders[0]
    assert (unigrams.numerator, unigrams.denominator) == (2, 7)
    assert unigrams.precision == pytest.approx(2 / 7)
    [the] = unigrams.ngrams
    assert (the.ngram, the.count, the.max_reference_count, the.clipped_count, the.best_reference) == \
        (("the",), 7, 2, 2, 0)
    assert result.brevity_penalty == 1.0  # c = 7 and the closest reference has 7 tokens
    assert result.score == pytest.approx(2 / 7)


def test_course_bigram_example_gives_four_sixths():
    result = sentence_bleu("the cat the cat on the mat", COURSE_REFERENCES, max_n=2)
    bigrams = result.orders[1]
    table = {" ".join(g.ngram): (g.count, g.clipped_count) for g in bigrams.ngrams}
    assert table == {"the cat": (2, 1), "cat the": (1, 0), "cat on": (1, 1), "on the": (1, 1), "the mat": (1, 1)}
    assert [" ".join(g.ngram) for g in bigrams.ngrams] == ["the cat", "cat the", "cat on", "on the", "the mat"]
    assert (bigrams.numerator, bigrams.denominator) == (4, 6)


def test_best_reference_is_the_one_with_the_most_copies():
    counted = {g.ngram: g for g in count_ngrams(tokenize("cat on the mat"), [tokenize(r) for r in COURSE_REFERENCES], 2)}
    assert counted[("cat", "on")].best_reference == 1
    assert counted[("the", "mat")].best_reference == 0  # both have it once: the first wins


# --- the pieces ------------------------------------------------------------------------------

def test_tokenize_is_whitespace_split():
    assert tokenize("  the cat\tsat\non  the mat. ") == ["the", "cat", "sat", "on", "the", "mat."]


def test_ngrams_in_order_and_none_when_too_short():
    assert ngrams(["a", "b", "c"], 2) == [("a", "b"), ("b", "c")]
    assert ngrams(["a", "b"], 3) == []


def test_closest_reference_length_prefers_the_shorter_on_a_tie():
    assert closest_reference_length(5, [6, 4]) == 4
    assert closest_reference_length(5, [9, 6, 3]) == 6
    assert closest_reference_length(0, [2, 1]) == 1


def test_brevity_penalty():
    assert brevity_penalty(8, 7) == 1.0
    assert brevity_penalty(7, 7) == 1.0  # exp(1 - 1)
    assert brevity_penalty(4, 6) == pytest.approx(math.exp(1 - 6 / 4))
    assert brevity_penalty(0, 6) == 0.0


def test_weights_change_the_mean():
    cand, refs = "the cat the cat on the mat", COURSE_REFERENCES
    only_unigrams = sentence_bleu(cand, refs, max_n=2, weights=(1, 0))
    assert only_unigrams.score == pytest.approx(5 / 7)
    uniform = sentence_bleu(cand, refs, max_n=2)
    assert uniform.weights == (0.5, 0.5)
    assert uniform.score == pytest.approx(math.sqrt(5 / 7 * 4 / 6))


# --- edge cases ------------------------------------------------------------------------------

def test_empty_candidate_scores_zero():
    result = sentence_bleu("", COURSE_REFERENCES)
    assert result.score == 0.0 and result.brevity_penalty == 0.0
    assert result.candidate_length == 0 and result.reference_length == 6
    assert all(o.denominator == 0 and o.precision == 0.0 and o.ngrams == [] for o in result.orders)
    assert sentence_bleu("   ", COURSE_REFERENCES, smoothing="add-one").score == 0.0


def test_candidate_shorter_than_n():
    result = sentence_bleu("the cat", COURSE_REFERENCES)
    assert [(o.numerator, o.denominator) for o in result.orders] == [(2, 2), (1, 1), (0, 0), (0, 0)]
    assert result.score == 0.0  # no trigrams at all: p_3 = 0 without smoothing
    smoothed = sentence_bleu("the cat", COURSE_REFERENCES, smoothing="add-one")
    assert smoothed.precisions == [1.0, 1.0, 1.0, 1.0]
    assert smoothed.score == pytest.approx(math.exp(1 - 6 / 2))  # only the brevity penalty is left


def test_a_zero_precision_gives_zero_without_smoothing_only():
    cand = "the cat on a mat is"  # no 4-gram of it is in a reference
    assert sentence_bleu(cand, COURSE_REFERENCES).score == 0.0
    assert sentence_bleu(cand, COURSE_REFERENCES, smoothing="add-one").score > 0.0
    assert sentence_bleu("dog", COURSE_REFERENCES, smoothing="add-one").score == 0.0  # p_1 is never smoothed


def test_perfect_match_scores_one():
    assert sentence_bleu(COURSE_REFERENCES[1], COURSE_REFERENCES).score == pytest.approx(1.0)


def test_non_ascii_and_emoji_are_just_tokens():
    result = sentence_bleu("le chat 🐱 est là", ["le chat 🐱 est là", "der Kätzchen 🐱"], max_n=2)
    assert result.score == pytest.approx(1.0)
    assert result.orders[0].ngrams[2].ngram == ("🐱",)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="reference"):
        sentence_bleu("the cat", [])
    with pytest.raises(ValueError, match="smoothing"):
        sentence_bleu("the cat", ["the cat"], smoothing="exp")
    with pytest.raises(ValueError, match="weights"):
        sentence_bleu("the cat", ["the cat"], max_n=2, weights=(1, 0, 0))
    with pytest.raises(ValueError, match="max_n"):
        sentence_bleu("the cat", ["the cat"], max_n=0)
    with pytest.raises(ValueError, match="candidates"):
        corpus_bleu(["a", "b"], [["a"]])


def test_corpus_bleu_sums_counts_rather_than_averaging_scores():
    candidates = ["the the the the the the the", "the cat the cat on the mat"]
    result = corpus_bleu(candidates, [COURSE_REFERENCES, COURSE_REFERENCES], max_n=2)
    assert (result.orders[0].numerator, result.orders[0].denominator) == (2 + 5, 7 + 7)
    assert (result.orders[1].numerator, result.orders[1].denominator) == (0 + 4, 6 + 6)
    assert (result.candidate_length, result.reference_length) == (14, 14)
    assert result.score == pytest.approx(math.sqrt(7 / 14 * 4 / 12))
    assert [s.score for s in result.sentences] == [0.0, pytest.approx(math.sqrt(5 / 7 * 4 / 6))]


# --- agreement with sacreBLEU and NLTK on random cases ----------------------------------------

def random_sentence(rng, shortest=0, longest=12):
    return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(shortest, longest)))


def random_sentence_cases(seed):
    """(candidate, references, max_n): 1–4 references of different lengths, some candidates very short."""
    rng = random.Random(seed)
    cases = []
    for _ in range(CASES):
        shortest = 0 if rng.random() < 0.1 else 1
        candidate = random_sentence(rng, shortest)
        references = [random_sentence(rng, 1) for _ in range(rng.randint(1, 4))]
        cases.append((candidate, references, rng.randint(1, 4)))
    return cases


def random_corpus_cases(seed, candidates_at_least_max_n=False):
    """(candidates, references per candidate, max_n), with a varying number of references each."""
    rng = random.Random(seed)
    cases = []
    for _ in range(CASES):
        max_n = rng.randint(1, 4)
        size = rng.randint(1, 6)
        shortest = max_n if candidates_at_least_max_n else 0
        candidates = [random_sentence(rng, shortest) for _ in range(size)]
        references = [[random_sentence(rng, 1) for _ in range(rng.randint(1, 3))] for _ in range(size)]
        cases.append((candidates, references, max_n))
    return cases


def sacre(max_n, smoothing):
    return BLEU(tokenize="none", effective_order=False, max_ngram_order=max_n, **SACRE_SMOOTHING[smoothing])


def nltk_sentence(candidate, references, max_n, smoothing):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NLTK warns on every zero p_n
        return nltk_bleu.sentence_bleu([tokenize(r) for r in references], tokenize(candidate),
                                       weights=(1 / max_n,) * max_n, smoothing_function=NLTK_SMOOTHING[smoothing])


def nltk_corpus(candidates, references, max_n, smoothing):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return nltk_bleu.corpus_bleu([[tokenize(r) for r in refs] for refs in references],
                                     [tokenize(c) for c in candidates],
                                     weights=(1 / max_n,) * max_n, smoothing_function=NLTK_SMOOTHING[smoothing])


def sacre_corpus_references(references):
    """sacreBLEU wants one stream per reference position; None pads the sentences with fewer."""
    streams = max(len(refs) for refs in references)
    return [[refs[i] if i < len(refs) else None for refs in references] for i in range(streams)]


@pytest.mark.parametrize("smoothing", ["none", "add-one"])
def test_sentence_bleu_equals_sacrebleu(smoothing):
    metrics = {n: sacre(n, smoothing) for n in range(1, 5)}
    nonzero = 0
    for candidate, references, max_n in random_sentence_cases(seed=1):
        ours = sentence_bleu(candidate, references, max_n=max_n, smoothing=smoothing)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sacreBLEU recommends effective_order for sentences
            theirs = metrics[max_n].sentence_score(candidate, references)
        assert ours.score == pytest.approx(theirs.score / 100, abs=TOLERANCE), (candidate, references, max_n)
        assert ours.brevity_penalty == pytest.approx(theirs.bp, abs=TOLERANCE)
        assert (ours.candidate_length, ours.reference_length) == (theirs.sys_len, theirs.ref_len)
        if smoothing == "none":
            assert [o.numerator for o in ours.orders] == theirs.counts
            assert [o.denominator for o in ours.orders] == theirs.totals
        nonzero += ours.score > 0
    assert nonzero > CASES // 4  # the comparison is not just 0 == 0


@pytest.mark.parametrize("smoothing", ["none", "add-one"])
def test_sentence_bleu_equals_nltk(smoothing):
    compared = 0
    for candidate, references, max_n in random_sentence_cases(seed=2):
        if smoothing == "add-one" and len(tokenize(candidate)) < max_n:
            continue  # NLTK counts "no n-grams" as one n-gram before method2; see test_nltk_quirk
        ours = sentence_bleu(candidate, references, max_n=max_n, smoothing=smoothing)
        theirs = nltk_sentence(candidate, references, max_n, smoothing)
        assert ours.score == pytest.approx(theirs, abs=TOLERANCE), (candidate, references, max_n)
        compared += 1
    assert compared >= 200


@pytest.mark.parametrize("smoothing", ["none", "add-one"])
def test_corpus_bleu_equals_sacrebleu(smoothing):
    metrics = {n: sacre(n, smoothing) for n in range(1, 5)}
    nonzero = 0
    for candidates, references, max_n in random_corpus_cases(seed=3):
        ours = corpus_bleu(candidates, references, max_n=max_n, smoothing=smoothing)
        theirs = metrics[max_n].corpus_score(candidates, sacre_corpus_references(references))
        assert ours.score == pytest.approx(theirs.score / 100, abs=TOLERANCE), (candidates, references, max_n)
        assert (ours.candidate_length, ours.reference_length) == (theirs.sys_len, theirs.ref_len)
        nonzero += ours.score > 0
    assert nonzero > CASES // 4


@pytest.mark.parametrize("smoothing", ["none", "add-one"])
def test_corpus_bleu_equals_nltk(smoothing):
    # every candidate has at least max_n tokens: see test_nltk_quirk for why
    for candidates, references, max_n in random_corpus_cases(seed=4, candidates_at_least_max_n=True):
        ours = corpus_bleu(candidates, references, max_n=max_n, smoothing=smoothing)
        theirs = nltk_corpus(candidates, references, max_n, smoothing)
        assert ours.score == pytest.approx(theirs, abs=TOLERANCE), (candidates, references, max_n)


def test_nltk_quirk_a_candidate_without_n_grams_counts_as_one():
    """NLTK's modified_precision uses max(1, count) as the denominator, so a corpus sentence
    shorter than n adds 1 to NLTK's Σ Count; sacreBLEU and Papineni add 0, and so do we."""
    candidates, references = ["the cat is on the mat", "the cat"], [COURSE_REFERENCES, COURSE_REFERENCES]
    ours = corpus_bleu(candidates, references, max_n=3)
    assert [o.denominator for o in ours.orders] == [8, 6, 4]
    sacre_score = sacre(3, "none").corpus_score(candidates, sacre_corpus_references(references)).score
    assert ours.score == pytest.approx(sacre_score / 100, abs=TOLERANCE)
    assert nltk_corpus(candidates, references, 3, "none") < ours.score  # NLTK: p_3 = 4/5, not 4/4


def test_scores_stay_between_zero_and_one():
    for candidate, references, max_n in random_sentence_cases(seed=5)[:100]:
        for smoothing in ("none", "add-one"):
            result = sentence_bleu(candidate, references, max_n=max_n, smoothing=smoothing)
            assert 0.0 <= result.score <= 1.0 + 1e-12
            assert all(g.clipped_count <= g.count for o in result.orders for g in o.ngrams)


def test_a_corpus_pairs_each_candidate_with_its_references_and_names_bad_lines():
    text = "a b ||| a b c ||| \n\nonly a candidate\n ||| a reference alone\nx ||| y ||| z"
    assert parse_corpus(text) == ([("a b", ["a b c"]), ("x", ["y", "z"])], [3, 4])
