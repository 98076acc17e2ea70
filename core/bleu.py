"""BLEU (Papineni et al., 2002), written out step by step so that every piece can be shown.

BLEU scores a machine translation (the *candidate*) against one or more human translations
(the *references*):

    BLEU = BP · exp( Σ_n w_n · log p_n )          n = 1 … N, usually N = 4, w_n = 1/N

* **Tokens.** A sentence is split on whitespace (Python's ``str.split()``), nothing more: no
  lower-casing and no splitting of punctuation, so "mat." and "mat" are different tokens.
  This is what sacreBLEU does with ``tokenize="none"``. Any Unicode text (accents, emoji) is
  fine: a token is just a string.
* **Modified n-gram precision p_n.** Plain precision rewards "the the the the the the the"
  (every word appears in a reference). So each candidate n-gram's count is *clipped* to the
  most times it appears in any single reference:

      Count_clip(g) = min(Count(g) in the candidate, max over references of Count(g) in it)
      p_n = Σ_g Count_clip(g) / Σ_g Count(g)

* **Brevity penalty BP.** Precision alone rewards short candidates, so with c the candidate
  length and r the length of the reference closest to c (on a tie, the shorter reference, as
  sacreBLEU and NLTK do):  BP = 1 if c > r, else exp(1 − r/c)  (and 0 for an empty candidate).
* **Corpus BLEU** is *not* the mean of sentence scores: it adds the clipped counts, the
  totals, c and r over all sentences first and then applies the same formula (Papineni,
  sacreBLEU ``corpus_score``, NLTK ``corpus_bleu``).

Smoothing (what to do when some p_n is 0, which is common for a single short sentence):

* ``"none"``: a zero p_n makes BLEU 0 (the geometric mean of anything with a 0 is 0). Equals
  sacreBLEU ``smooth_method="none"`` and NLTK without a smoothing function.
* ``"add-one"``: for n ≥ 2 use p_n = (Σ Count_clip + 1) / (Σ Count + 1); p_1 is left alone, so
  a candidate sharing no word with the references still scores 0. This is Lin & Och (2004),
  "method 2" of Chen & Cherry (2014). It equals sacreBLEU ``smooth_method="add-k",
  smooth_value=1`` exactly, and NLTK ``SmoothingFunction().method2`` whenever every
  candidate has at least N tokens (NLTK counts a candidate with no n-grams as having one).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

MAX_ORDER = 4  # BLEU-4, the usual choice
SMOOTHING_METHODS = ("none", "add-one")
CORPUS_SEPARATOR = "|||"  # between a candidate and its references on one line of a corpus

Ngram = tuple[str, ...]


@dataclass(frozen=True)
class NgramCount:
    """One distinct n-gram of the candidate and how much credit it earns."""

    ngram: Ngram
    count: int  # times it appears in the candidate
    max_reference_count: int  # most times it appears in any single reference
    clipped_count: int  # Count_clip = min(count, max_reference_count)
    best_reference: int | None  # index of the (first) reference with that most; None if in none


@dataclass(frozen=True)
class OrderPrecision:
    """The modified precision for one n-gram order n."""

    n: int
    ngrams: list[NgramCount]  # the candidate's distinct n-grams, first appearance first (empty for a corpus)
    numerator: int  # Σ Count_clip
    denominator: int  # Σ Count, the number of n-grams in the candidate(s)
    precision: float  # p_n as used in the score, after smoothing; 0 when there are no n-grams


@dataclass(frozen=True)
class BleuScore:
    """Every number that goes into one BLEU score (sentence or corpus)."""

    orders: list[OrderPrecision]  # n = 1 … max_n
    weights: tuple[float, ...]  # w_n
    candidate_length: int  # c
    reference_length: int  # r: closest reference length (summed over sentences for a corpus)
    brevity_penalty: float  # BP
    score: float  # BLEU in [0, 1]
    smoothing: str
    sentences: list[BleuScore] = field(default_factory=list)  # corpus only: each sentence on its own

    @property
    def precisions(self) -> list[float]:
        return [order.precision for order in self.orders]


def tokenize(sentence: str) -> list[str]:
    """Whitespace tokenisation: BLEU itself does not say how to tokenise, so we do the least."""
    return sentence.split()


def ngrams(tokens: Sequence[str], n: int) -> list[Ngram]:
    """All n-grams of the tokens, in order; a sentence with fewer than n tokens has none."""
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def count_ngrams(candidate: Sequence[str], references: Sequence[Sequence[str]], n: int) -> list[NgramCount]:
    """Count each candidate n-gram and clip it by the most times any *single* reference has it."""
    candidate_counts = Counter(ngrams(candidate, n))
    reference_counts = [Counter(ngrams(reference, n)) for reference in references]
    counted = []
    for ngram, count in candidate_counts.items():
        in_each_reference = [counts[ngram] for counts in reference_counts]
        most = max(in_each_reference, default=0)
        counted.append(NgramCount(ngram=ngram, count=count, max_reference_count=most,
                                  clipped_count=min(count, most),
                                  best_reference=in_each_reference.index(most) if most else None))
    return counted


def closest_reference_length(candidate_length: int, reference_lengths: Sequence[int]) -> int:
    """The reference length nearest the candidate's; on a tie, the shorter one."""
    return min(reference_lengths, key=lambda length: (abs(length - candidate_length), length))


def brevity_penalty(candidate_length: int, reference_length: int) -> float:
    """Punish candidates shorter than the reference; precision alone would reward them."""
    if candidate_length > reference_length:
        return 1.0
    if candidate_length == 0:
        return 0.0  # the formula would divide by zero; an empty candidate earns nothing
    return math.exp(1 - reference_length / candidate_length)


def smoothed_precision(numerator: int, denominator: int, n: int, smoothing: str) -> float:
    """p_n = numerator / denominator, smoothed as the module docstring says."""
    if smoothing == "add-one" and n > 1:
        return (numerator + 1) / (denominator + 1)
    return numerator / denominator if denominator else 0.0


def uniform_weights(max_n: int) -> tuple[float, ...]:
    """w_n = 1/N: the plain geometric mean of p_1 … p_N."""
    return (1 / max_n,) * max_n


def combine(precisions: Sequence[float], weights: Sequence[float], bp: float) -> float:
    """BLEU = BP · exp(Σ w_n log p_n); any zero p_n (with weight > 0) gives 0."""
    if any(p == 0 and w > 0 for p, w in zip(precisions, weights)):
        return 0.0
    return bp * math.exp(math.fsum(w * math.log(p) for p, w in zip(precisions, weights) if w > 0))


def _check_options(max_n: int, weights: Sequence[float] | None, smoothing: str) -> tuple[float, ...]:
    """Fail early and clearly on settings that make no sense; return the weights to use."""
    if max_n < 1:
        raise ValueError(f"max_n must be at least 1, got {max_n}")
    if smoothing not in SMOOTHING_METHODS:
        raise ValueError(f"smoothing must be one of {SMOOTHING_METHODS}, got {smoothing!r}")
    if weights is None:
        return uniform_weights(max_n)
    if len(weights) != max_n or any(w < 0 for w in weights):
        raise ValueError(f"need {max_n} non-negative weights, got {tuple(weights)}")
    return tuple(float(w) for w in weights)


def _sentence(candidate: list[str], references: list[list[str]], max_n: int,
              weights: tuple[float, ...], smoothing: str) -> BleuScore:
    if not references:
        raise ValueError("BLEU needs at least one reference")
    orders = []
    for n in range(1, max_n + 1):
        counted = count_ngrams(candidate, references, n)
        numerator = sum(c.clipped_count for c in counted)
        denominator = sum(c.count for c in counted)
        orders.append(OrderPrecision(n, counted, numerator, denominator,
                                     smoothed_precision(numerator, denominator, n, smoothing)))
    c = len(candidate)
    r = closest_reference_length(c, [len(reference) for reference in references])
    bp = brevity_penalty(c, r)
    return BleuScore(orders, weights, c, r, bp, combine([o.precision for o in orders], weights, bp), smoothing)


def sentence_bleu(candidate: str, references: Sequence[str], max_n: int = MAX_ORDER,
                  weights: Sequence[float] | None = None, smoothing: str = "none") -> BleuScore:
    """BLEU of one candidate against its references (strings, tokenised on whitespace)."""
    weights = _check_options(max_n, weights, smoothing)
    return _sentence(tokenize(candidate), [tokenize(r) for r in references], max_n, weights, smoothing)


def corpus_bleu(candidates: Sequence[str], references: Sequence[Sequence[str]], max_n: int = MAX_ORDER,
                weights: Sequence[float] | None = None, smoothing: str = "none") -> BleuScore:
    """Corpus BLEU: references[i] holds the references of candidates[i] (any number, at least one).

    The clipped counts, totals, c and r are summed over the sentences before p_n and BP are
    computed, so long sentences weigh more than short ones.
    """
    weights = _check_options(max_n, weights, smoothing)
    if len(candidates) != len(references):
        raise ValueError(f"{len(candidates)} candidates but {len(references)} sets of references")
    sentences = [_sentence(tokenize(candidate), [tokenize(r) for r in refs], max_n, weights, smoothing)
                 for candidate, refs in zip(candidates, references)]
    orders = []
    for n in range(1, max_n + 1):
        numerator = sum(s.orders[n - 1].numerator for s in sentences)
        denominator = sum(s.orders[n - 1].denominator for s in sentences)
        orders.append(OrderPrecision(n, [], numerator, denominator,
                                     smoothed_precision(numerator, denominator, n, smoothing)))
    c = sum(s.candidate_length for s in sentences)
    r = sum(s.reference_length for s in sentences)
    bp = brevity_penalty(c, r)
    return BleuScore(orders, weights, c, r, bp, combine([o.precision for o in orders], weights, bp),
                     smoothing, sentences)


def parse_corpus(text: str) -> tuple[list[tuple[str, list[str]]], list[int]]:
    """Lines "candidate ||| ref ||| ref" → (candidate, references) pairs, and the numbers of bad lines."""
    pairs, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        candidate, *references = [part.strip() for part in line.split(CORPUS_SEPARATOR)]
        references = [r for r in references if r]
        if candidate and references:
            pairs.append((candidate, references))
        else:
            bad.append(number)
    return pairs, bad
